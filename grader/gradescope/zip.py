"""zip.py OUT.zip < LIST: writes the files named on stdin ("path-in-zip\tpath-on-disk"),
keeping their modes (run_autograder must stay executable)."""
import os
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as archive:
    for line in sys.stdin.read().splitlines():
        name, disk = line.split("\t")
        info = zipfile.ZipInfo.from_file(disk, name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(disk, "rb") as handle:
            archive.writestr(info, handle.read())
