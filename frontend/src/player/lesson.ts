// Entry of lesson pages (a separate Vite entry: the path map never loads it).
// hls.js itself is a further chunk, fetched only when a lesson has a playable video.
import { enqueue } from "../progress/queue";
import { newEventId } from "../progress/uuid";
import { stepQuiz } from "../quiz/stepper";
import { mountPlayer } from "./player";

document.querySelectorAll<HTMLFormElement>("form.quiz-form").forEach(stepQuiz);

const slots = Array.from(document.querySelectorAll<HTMLElement>(".player[data-video]"));
slots.forEach((slot) => {
  void mountPlayer(slot);
});

const lessonId = Number(slots[0]?.dataset.lesson || document.querySelector<HTMLElement>("[data-lesson-id]")?.dataset.lessonId);
if (lessonId) {
  void enqueue([{ id: newEventId(), type: "lesson.viewed", client_time: new Date().toISOString(), lesson: lessonId }]);
}
