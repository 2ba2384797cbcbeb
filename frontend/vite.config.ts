import { defineConfig } from "vite";

// Django serves the build through django-vite + whitenoise; the manifest maps
// source entries to hashed files.
export default defineConfig({
  base: "/static/",
  build: {
    manifest: "manifest.json",
    outDir: "dist",
    emptyOutDir: true,
    target: "es2019",
    rollupOptions: {
      input: {
        main: "src/main.ts",
        lesson: "src/player/lesson.ts",
        "video-admin": "src/admin/video-admin.ts",
      },
    },
  },
});
