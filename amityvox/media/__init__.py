"""Files and media: where the bytes live (`storage`), what they are (`sniff`), image work
(`images`, `blurhash`) and signed URLs (`urls`). The rules — who may upload, attach and fetch
what — live in `amityvox/services/media.py`."""
