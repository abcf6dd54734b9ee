"""Media on S3-compatible storage: images public, documents private.

Pages link straight to images in the bucket (or a CDN in front of it), so they are
public objects at stable URLs. Documents are only ever served by Wagtail's view
(`WAGTAILDOCS_SERVE_METHOD = "serve_view"`), which checks the collection's privacy
and streams the file with the app's own credentials. So that a document cannot be
read past that check, straight from the bucket, each object under `documents/`:

- is written with a private ACL (`AWS_DOCUMENTS_ACL`, "private"): not readable by
  anyone without the bucket's credentials, even in a bucket whose objects are public
  by default;
- is stored under a random folder, `documents/<16 hex digits>/<file name>`, so that its
  address cannot be guessed from the file name should a bucket policy or a CDN
  expose the folder (the name people see, and the serve view's URL, keep the plain
  file name);
- gets a signed URL that expires (`AWS_QUERYSTRING_EXPIRE`) if anything asks the
  storage for one, never a plain or CDN address.

Everything else (images, renditions) is written and linked as `S3Storage` does.
"""

import posixpath
import secrets

from storages.backends.s3 import S3Storage
from storages.utils import clean_name, setting

DOCUMENTS = "documents/"


class MediaStorage(S3Storage):
    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "documents_acl": setting("AWS_DOCUMENTS_ACL", "private"),
        }

    def _is_document(self, key):
        """Whether `key` (a name with the storage's location in front) is a document's."""
        location = self.location.strip("/")
        prefix = f"{location}/{DOCUMENTS}" if location else DOCUMENTS
        return key.lstrip("/").startswith(prefix)

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        if self.documents_acl and self._is_document(name):
            params["ACL"] = self.documents_acl
        return params

    def get_available_name(self, name, max_length=None):
        name = clean_name(name)
        if name.startswith(DOCUMENTS):
            folder, filename = posixpath.split(name)
            name = posixpath.join(folder, secrets.token_hex(8), filename)
        return super().get_available_name(name, max_length)

    def url(self, name, parameters=None, expire=None, http_method=None):
        key = self._normalize_name(clean_name(name))
        if not self._is_document(key):
            return super().url(name, parameters, expire, http_method)
        params = {**(parameters or {}), "Bucket": self.bucket.name, "Key": key}
        return self.connection.meta.client.generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=self.querystring_expire if expire is None else expire,
            HttpMethod=http_method,
        )
