"""What Onramp knows about ffmpeg, as pure functions: no subprocess, no files, no models.

`media.pipeline` runs the argument lists built here and feeds the parsers with what
ffprobe and ffmpeg print. Keeping this knowledge pure lets the tests check probing rules,
the ladder, the filter graph and the rate control without encoding anything.
"""
