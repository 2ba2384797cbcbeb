// One question per screen on a phone: the quiz form stays a plain server-rendered form
// (it works without JS and is graded on the server); this only shows its questions one
// at a time, with Previous / Next and "question 2 of 5". Texts come from data-* on the form.
export function stepQuiz(form: HTMLFormElement): void {
  const questions = Array.from(form.querySelectorAll<HTMLFieldSetElement>("fieldset.question"));
  const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
  if (questions.length < 2 || !submit) return;
  const d = form.dataset;
  const nav = document.createElement("div");
  nav.className = "quiz-steps";
  const back = document.createElement("button");
  back.type = "button";
  back.className = "button secondary";
  back.textContent = d.msgPrevious || "←";
  const next = document.createElement("button");
  next.type = "button";
  next.className = "button";
  next.textContent = d.msgNext || "→";
  const counter = document.createElement("p");
  counter.className = "hint quiz-counter";
  counter.setAttribute("aria-live", "polite");
  const warning = document.createElement("p");
  warning.className = "error quiz-warning";
  warning.setAttribute("role", "alert");
  nav.append(back, next);
  submit.before(counter, warning, nav);
  form.classList.add("is-stepped");

  let current = 0;
  const answered = (q: HTMLFieldSetElement) => q.querySelector("input:checked") !== null;
  const show = (index: number, focus: boolean) => {
    current = index;
    questions.forEach((q, i) => {
      q.hidden = i !== index;
    });
    const last = index === questions.length - 1;
    back.hidden = index === 0;
    next.hidden = last;
    submit.hidden = !last;
    warning.textContent = "";
    counter.textContent = (d.msgCounter || "{n} / {total}")
      .replace("{n}", String(index + 1))
      .replace("{total}", String(questions.length));
    if (focus) questions[index].querySelector<HTMLInputElement>("input")?.focus();
  };
  next.addEventListener("click", () => {
    if (!answered(questions[current])) {
      warning.textContent = d.msgAnswerFirst || "";
      return;
    }
    show(current + 1, true);
  });
  back.addEventListener("click", () => show(current - 1, true));
  form.addEventListener("submit", (event) => {
    const missing = questions.findIndex((q) => !answered(q));
    if (missing >= 0) {
      event.preventDefault();
      show(missing, true);
      warning.textContent = d.msgAnswerFirst || "";
    }
  });
  // Hidden required radios would block the browser's own validation with no visible
  // field to point at; the submit handler above checks instead.
  form.noValidate = true;
  show(0, false);
}
