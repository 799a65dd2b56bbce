"""An uploaded file written once.

CKAN receives an upload into a temporary file (werkzeug's, under the
system's temporary folder), then copies it to the resource's path in the
storage. For a table of 350 MB the copy took as long as receiving it
(docs/ingestion.md). Here the file part of a request is received into a
file without a name in the storage's own folder (`O_TMPFILE`), and
`ResourceUpload.upload` gives that file the resource's path (a hard link)
instead of copying it. A request that breaks off, or is refused, leaves
nothing behind: the file never had a name. The file is hashed as it is
received, and its checksum kept (`gate.checksums`): no one reads it back
to know it.

Where the system cannot (no `O_TMPFILE`, no `/proc`, the resource's folder
on another file system), CKAN's own temporary file and copy are used.
"""
from __future__ import annotations

import errno
import hashlib
import io
import os
from pathlib import Path
from typing import IO, Any, Optional

import ckan.plugins.toolkit as tk
from ckan.lib import uploader

from ckanext.kg.publishing.gate import checksums

FOLDER = ("kg", "incoming")  # under ckan.storage_path
# a storage that cannot take a file: its disk is full, the portal's quota
# is spent, or the file is larger than the system lets the portal write
NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class IncomingFile(io.FileIO):
    """A file part being received, without a name until `name_as` gives it one.

    Received while the request's form is parsed, before any action runs:
    a storage with no room is remembered (`refused`) and the rest of the
    part read and dropped, so that the action refuses the upload as it
    would refuse CKAN's copy (`ResourceUpload.upload` raises it)."""

    refused: Optional[OSError] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received = hashlib.sha256()  # of the bytes written, as they are

    def write(self, data: Any) -> int:
        if self.refused is None:
            rest = memoryview(data)
            try:
                while rest:  # werkzeug ignores a short write: none is left short
                    rest = rest[super().write(rest):]
            except OSError as error:
                if error.errno not in NO_ROOM:
                    raise
                self.refused = error
            self.received.update(data)
        return len(data)

    def name_as(self, path: str) -> bool:
        """Give the file `path` (replacing what is there); False where the
        system cannot, with nothing changed."""
        folder, spare = os.path.split(path + "~")
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            try:
                os.unlink(spare, dir_fd=directory)
            except FileNotFoundError:
                pass
            try:  # linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N: open(2), O_TMPFILE;
                # a directory descriptor makes Python call linkat, not link
                os.link(f"/proc/self/fd/{self.fileno()}", spare, dst_dir_fd=directory)
            except OSError:
                return False
            os.replace(spare, os.path.basename(path), src_dir_fd=directory,
                       dst_dir_fd=directory)
        finally:
            os.close(directory)
        return True


def incoming_file() -> Optional[IncomingFile]:
    """A new file without a name in the storage's own folder, or None."""
    storage = uploader.get_storage_path()
    tmpfile = getattr(os, "O_TMPFILE", None)
    if not storage or tmpfile is None:
        return None
    folder = Path(storage, *FOLDER)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder, tmpfile | os.O_RDWR, 0o666)  # CKAN's mode, less umask
    except OSError:
        return None
    return IncomingFile(descriptor, "r+b")


def request_class(base: type) -> type:
    """Flask's request class `base`, receiving a signed-in user's file parts
    into `incoming_file`. Anyone else's (whom every action that stores a
    file refuses) go to werkzeug's temporary file as before, so that they
    never take room in the storage, even for the length of a request."""
    class Request(base):  # type: ignore[misc, valid-type]
        def _get_file_stream(self, total_content_length: Optional[int],
                             content_type: Optional[str], filename: Optional[str] = None,
                             content_length: Optional[int] = None) -> IO[bytes]:
            signed_in = filename is not None and tk.current_user.is_authenticated
            stream = incoming_file() if signed_in else None
            if stream is not None:
                return stream
            return super()._get_file_stream(total_content_length, content_type, filename,
                                            content_length)
    return Request


class ResourceUpload(uploader.ResourceUpload):
    """CKAN's resource uploader, naming a received file instead of copying
    it, and refusing a file over the limit in the reader's language."""

    def upload(self, id: str, max_size: int = 10) -> None:
        stream: Any = getattr(self, "upload_file", None)
        if not (self.storage_path and self.filename):
            return super().upload(id, max_size)
        if isinstance(stream, IncomingFile) and stream.refused is not None:
            stream.close()
            raise stream.refused
        if self.filesize > max_size * uploader.MB:  # what CKAN's copy refuses
            stream.close()
            raise too_large(max_size)
        if isinstance(stream, IncomingFile):
            os.makedirs(self.get_directory(id), exist_ok=True)
            path = self.get_path(id)
            if stream.name_as(path):
                checksums.keep(path, os.fstat(stream.fileno()),
                               "sha256:" + stream.received.hexdigest())
                stream.close()
                return None
        return super().upload(id, max_size)


def too_large(max_size: int) -> tk.ValidationError:
    return tk.ValidationError({"upload": [tk._(
        "The file is larger than the portal accepts ({size} MB).").format(size=max_size)]})


def resource_uploader(data_dict: dict[str, Any]) -> Optional[ResourceUpload]:
    """Ours wherever CKAN would use its own `ResourceUpload` (no file
    storage of CKAN's `ckan.files` configured for resources), else None."""
    from ckan.lib import files
    try:
        files.get_storage(tk.config["ckan.files.default_storages.resource"])
    except files.exc.UnknownStorageError:
        return ResourceUpload(data_dict)
    return None
