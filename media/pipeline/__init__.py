"""The video pipeline: runs what `media.ffmpeg` builds, moves files into storage and
records each run's state on the video.

- `storage`: a run's temp folder, reading the source, publishing into storage;
- `runner`: claiming a run, running ffmpeg (short steps, the watched transcode),
  failing a run, and `guarded_step`, which every step runs in;
- `probe`, `transcode`: the two steps; `captions`: captions and the master playlist.

Crash safety rests on three rules:
- a run works in its own temp folder under DATA_DIR/tmp and publishes into a storage
  folder named after its job id, so a killed worker never leaves half-written files
  where a player looks, and a later run never has to overwrite anything;
- every state write of a run is conditional on the video still carrying the run's job
  id, so a run that was superseded (retry), or whose video was deleted, notices at its
  next progress write (about every second), stops ffmpeg and cleans up;
- the database switches to the new files only after they are all in place.
"""
