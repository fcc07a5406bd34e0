"""The S3-compatible backend of :mod:`lms.media.storage` (AWS S3, MinIO, Ceph…), with boto3.

Decisions:

* Large media (originals, HLS segments, posters, covers, lesson files) are answered with a 302
  to a presigned GET URL: the bytes go from the bucket to the browser, range requests and all,
  so a two-hour lecture never ties up a web worker, and the URL dies after
  ``LMS_S3_URL_EXPIRES_SECONDS``. The presigned URL carries the Content-Type, Content-Disposition
  and Cache-Control the app would have sent. The redirect itself may be cached privately for
  half that lifetime, so a player seeking back does not ask the app again.
* HLS playlists and captions are streamed through the app (``redirect=False``): a playlist's
  relative links must resolve against the checked route, not against a presigned URL. Range,
  If-None-Match and If-Modified-Since are passed on to the bucket.
* Uploads are multipart above ``LMS_S3_MULTIPART_MB`` (boto3's managed transfer), downloads
  for the transcoder likewise, into the instance folder's ``tmp/``.
* The first use in a process checks the bucket (HEAD bucket); a missing bucket, refused
  credentials or an unreachable endpoint are logged with the reason and raise
  :class:`~lms.core.errors.StorageUnavailable`, which the app answers with a 503.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as EndpointError
from flask import abort, current_app, request
from werkzeug.http import dump_options_header
from werkzeug.wrappers import Response

from lms.config import s3_endpoint
from lms.core.errors import StorageUnavailable
from lms.media.storage import CHUNK, Heartbeat, Storage, content_type

MB = 1024 * 1024
#: files uploaded at once when an output folder (an HLS ladder) goes to the bucket
UPLOAD_THREADS = 8
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_REFUSED = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}
_REFUSED |= {"InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed"}


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code") or _status(error))


def _disposition(name: str | None, as_attachment: bool) -> str:
    """A Content-Disposition value as ``send_file`` writes it (ASCII name plus RFC 5987)."""
    kind = "attachment" if as_attachment else "inline"
    if not name:
        return kind
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return dump_options_header(
            kind, {"filename": simple, "filename*": f"UTF-8''{quote(name, safe='!#$&+^`|')}"}
        )
    return dump_options_header(kind, {"filename": name})


class S3Storage(Storage):
    """Files in an S3 bucket, under ``LMS_S3_PREFIX``."""

    def __init__(self, config: Any) -> None:
        endpoint, style = s3_endpoint(config)
        session = boto3.session.Session(
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            region_name=config["S3_REGION"],
        )
        self.client = session.client(
            "s3",
            endpoint_url=endpoint,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": style},
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=UPLOAD_THREADS * 2,
            ),
        )
        self.endpoint = endpoint
        self.bucket = config["S3_BUCKET"]
        self.prefix = str(config.get("S3_PREFIX") or "").strip("/")
        self.expires = int(config["S3_URL_EXPIRES_SECONDS"])
        part = int(config["S3_MULTIPART_MB"]) * MB
        self.transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part)
        self.tmp = Path(config["INSTANCE_DIR"]) / "tmp"
        self._checked = False

    # --- plumbing --------------------------------------------------------------------------

    def describe(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix + '/' if self.prefix else ''}"
        return f"bucket {where} at {self.endpoint}"

    def staging_dir(self) -> Path:
        return self.tmp

    def key(self, path: str) -> str:
        """The object key of a stored path."""
        return f"{self.prefix}/{path}" if self.prefix else path

    def _fail(self, error: Exception, action: str, path: str = "") -> NoReturn:
        """Log why the bucket cannot be used, then raise :class:`StorageUnavailable`."""
        if isinstance(error, NoCredentialsError | PartialCredentialsError):
            reason = (
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or LMS_S3_ACCESS_KEY_ID and LMS_S3_SECRET_ACCESS_KEY)"
            )
        elif isinstance(error, EndpointError):
            reason = f"endpoint unreachable ({error})"
        elif isinstance(error, ClientError) and _code(error) in _REFUSED:
            reason = f"credentials refused or no access to the bucket ({_code(error)})"
        elif isinstance(error, ClientError) and _code(error) in _NOT_FOUND | {"NoSuchBucket"}:
            reason = "the bucket does not exist"
        else:
            reason = str(error)
        message = f"S3 {action} {path} failed for {self.describe()}: {reason}"
        current_app.logger.error("media storage unavailable: %s", message)
        raise StorageUnavailable(message) from error

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            self._fail(error, "check")
        self._checked = True

    def _ready(self) -> None:
        """Check the bucket on first use, so a wrong setting shows in the logs at once."""
        if not self._checked:
            self.check()

    # --- files -----------------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        self._ready()
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(path))
        except ClientError as error:
            if _code(error) in _NOT_FOUND:
                return False
            self._fail(error, "HEAD", path)
        except BotoCoreError as error:
            self._fail(error, "HEAD", path)
        return True

    def put(self, source: Path, path: str) -> None:
        # Named by content: an object already under this key holds these very bytes.
        if not self.exists(path):
            try:
                self._upload(source, path)
            except (BotoCoreError, ClientError, Boto3Error) as error:
                self._fail(error, "upload", path)
        source.unlink(missing_ok=True)

    def _upload(self, source: Path, path: str) -> None:
        """Upload one file (in parts when large); no logging, so it may run in a thread."""
        self.client.upload_file(
            str(source),
            self.bucket,
            self.key(path),
            ExtraArgs={"ContentType": content_type(path)},
            Config=self.transfer,
        )

    def delete(self, path: str) -> None:
        self._ready()
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(path))
        except (BotoCoreError, ClientError) as error:
            self._fail(error, "DELETE", path)

    @contextlib.contextmanager
    def local_copy(self, path: str) -> Iterator[Path]:
        self._ready()
        self.tmp.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="download-", suffix=Path(path).suffix, dir=self.tmp)
        os.close(handle)
        target = Path(name)
        try:
            try:
                self.client.download_file(
                    self.bucket, self.key(path), str(target), Config=self.transfer
                )
            except ClientError as error:
                if _code(error) in _NOT_FOUND:
                    raise FileNotFoundError(path) from None
                self._fail(error, "download", path)
            except (BotoCoreError, Boto3Error) as error:
                self._fail(error, "download", path)
            yield target
        finally:
            target.unlink(missing_ok=True)

    @contextlib.contextmanager
    def output_folder(self, path: str, *, heartbeat: Heartbeat | None = None) -> Iterator[Path]:
        self._ready()
        self.tmp.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="output-", dir=self.tmp))
        try:
            folder = work / "out"
            yield folder
            self._upload_tree(folder, path, heartbeat)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _upload_tree(self, folder: Path, path: str, heartbeat: Heartbeat | None) -> None:
        """Upload every file under ``folder`` to ``path``/…, then delete what else was there."""
        files = {
            f"{path}/{file.relative_to(folder).as_posix()}": file
            for file in sorted(folder.rglob("*"))
            if file.is_file()
        }
        with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
            futures = [pool.submit(self._upload, file, name) for name, file in files.items()]
            try:
                for done, future in enumerate(as_completed(futures), 1):
                    future.result()
                    if heartbeat is not None:
                        heartbeat(done, len(futures))
            except (BotoCoreError, ClientError, Boto3Error) as error:
                for future in futures:
                    future.cancel()
                self._fail(error, "upload", f"{path}/")
        self._delete_others(path, {self.key(name) for name in files})

    def _delete_others(self, path: str, keep: set[str]) -> None:
        """Delete the objects under ``path``/ that are not in ``keep`` (an older ladder's)."""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.key(path) + "/"
            )
            stale = [
                {"Key": item["Key"]}
                for page in pages
                for item in page.get("Contents", [])
                if item["Key"] not in keep
            ]
            for start in range(0, len(stale), 1000):
                self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": stale[start : start + 1000]}
                )
        except (BotoCoreError, ClientError) as error:
            self._fail(error, "clean-up", f"{path}/")

    # --- serving ---------------------------------------------------------------------------

    def send(
        self,
        path: str,
        *,
        mimetype: str | None,
        download_name: str | None,
        as_attachment: bool,
        max_age: int | None,
        private: bool,
        redirect: bool,
    ) -> Response:
        self._ready()
        mimetype = mimetype or content_type(path)
        if redirect:
            return self._redirect(path, mimetype, download_name, as_attachment, max_age)
        return self._stream(path, mimetype, max_age, private)

    def _redirect(
        self,
        path: str,
        mimetype: str,
        download_name: str | None,
        as_attachment: bool,
        max_age: int | None,
    ) -> Response:
        """302 to a presigned GET URL answering as the app would (type, name, caching)."""
        params = {
            "Bucket": self.bucket,
            "Key": self.key(path),
            "ResponseContentType": mimetype,
            "ResponseCacheControl": f"private, max-age={max_age or 0}",
        }
        if download_name or as_attachment:
            params["ResponseContentDisposition"] = _disposition(download_name, as_attachment)
        try:
            url = self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=self.expires
            )
        except BotoCoreError as error:
            self._fail(error, "presign", path)
        response = Response(status=302, mimetype="text/plain")
        response.headers["Location"] = url
        hold = min(max_age or 0, self.expires // 2)
        if hold:
            response.cache_control.private = True
            response.cache_control.max_age = hold
        else:
            response.cache_control.no_store = True
        return response

    def _stream(self, path: str, mimetype: str, max_age: int | None, private: bool) -> Response:
        """The object's bytes through the app, honouring Range and conditional requests."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(path)}
        if request.headers.get("Range"):
            params["Range"] = request.headers["Range"]
        if request.headers.get("If-None-Match"):
            params["IfNoneMatch"] = request.headers["If-None-Match"]
        elif request.if_modified_since is not None:
            params["IfModifiedSince"] = request.if_modified_since
        try:
            found = self.client.get_object(**params)
        except ClientError as error:
            status = _status(error)
            if status == 304:
                response = Response(status=304)
                self._cache(response, max_age, private)
                return response
            if status == 416:
                response = Response(status=416)
                size = error.response.get("Error", {}).get("ActualObjectSize")
                if size:
                    response.headers["Content-Range"] = f"bytes */{size}"
                return response
            if _code(error) in _NOT_FOUND:
                abort(404)
            self._fail(error, "GET", path)
        except BotoCoreError as error:
            self._fail(error, "GET", path)
        body = found["Body"]
        response = Response(
            body.iter_chunks(CHUNK),
            status=206 if found.get("ContentRange") else 200,
            mimetype=mimetype,
            direct_passthrough=True,
        )
        response.call_on_close(body.close)
        response.content_length = found["ContentLength"]
        if found.get("ContentRange"):
            response.headers["Content-Range"] = found["ContentRange"]
        response.accept_ranges = "bytes"
        if found.get("ETag"):
            response.set_etag(found["ETag"].strip('"'))
        response.last_modified = found.get("LastModified")
        self._cache(response, max_age, private)
        return response

    @staticmethod
    def _cache(response: Response, max_age: int | None, private: bool) -> None:
        if private:
            response.cache_control.private = True
        if max_age is not None:
            response.cache_control.max_age = max_age
        else:
            response.cache_control.no_cache = True
