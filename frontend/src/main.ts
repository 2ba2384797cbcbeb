import "./main.css";

// The language switcher submits itself; without JS a button is shown instead.
document.querySelectorAll<HTMLSelectElement>("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form?.submit());
});
