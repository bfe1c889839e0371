"""Stage 3, publish: a build output directory in; Maven coordinates, POMs, checksums and
metadata written into a local repository or uploaded to a remote one out. Reads the op set and the source layouts."""
