import "./main.css";
import { watchConnection } from "./offline/banner";
import { registerServiceWorker } from "./offline/register";

// The language switcher submits itself; without JS a button is shown instead.
document.querySelectorAll<HTMLSelectElement>("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form?.submit());
});

const banner = document.getElementById("offline-banner");
if (banner) watchConnection(banner);
registerServiceWorker();
