import "./main.css";
import { watchConnection } from "./offline/banner";
import { registerServiceWorker } from "./offline/register";
import { startOutbox } from "./progress/queue";

// The language switcher submits itself; without JS a button is shown instead.
document.querySelectorAll<HTMLSelectElement>("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form?.submit());
});
document.querySelectorAll<HTMLButtonElement>("button[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});

const banner = document.getElementById("offline-banner");
if (banner) watchConnection(banner);
registerServiceWorker();
// Progress queued on an earlier page (or while offline) goes out from any page.
startOutbox();
