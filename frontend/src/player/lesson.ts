// Entry of lesson pages (a separate Vite entry: the path map never loads it).
// hls.js itself is a further chunk, fetched only when a lesson has a playable video.
import { enqueue } from "../progress/queue";
import { newEventId } from "../progress/uuid";
import { stepQuiz } from "../quiz/stepper";
import { mountPlayer } from "./player";

document.querySelectorAll<HTMLFormElement>("form.quiz-form").forEach(stepQuiz);

// A poster that cannot load (offline, say) hides instead of showing a broken image. Not
// an inline onerror: the Content-Security-Policy refuses inline handlers. The poster may
// already have failed before this module runs, hence the check of `complete`.
document.querySelectorAll<HTMLImageElement>("img.player-poster").forEach((poster) => {
  if (poster.complete && poster.naturalWidth === 0) poster.hidden = true;
  else poster.addEventListener("error", () => (poster.hidden = true), { once: true });
});

const slots = Array.from(document.querySelectorAll<HTMLElement>(".player[data-video]"));
slots.forEach((slot) => {
  void mountPlayer(slot);
});

const lessonId = Number(slots[0]?.dataset.lesson || document.querySelector<HTMLElement>("[data-lesson-id]")?.dataset.lessonId);
if (lessonId) {
  void enqueue([{ id: newEventId(), type: "lesson.viewed", client_time: new Date().toISOString(), lesson: lessonId }]);
}
