// Entry of the Video admin pages (built by Vite as its own file, loaded only there).
import { VideoUploader } from "./video-upload";
import { watchVideoProgress } from "./video-progress";

document.querySelectorAll<HTMLElement>("[data-video-upload]").forEach((root) => {
  new VideoUploader(root).bind();
});
document.querySelectorAll<HTMLElement>("[data-video-progress]").forEach((root) => {
  watchVideoProgress(root);
});
