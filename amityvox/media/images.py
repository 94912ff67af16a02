"""Image work with Pillow: check and measure an upload, strip its metadata, make thumbnails.

Everything here is synchronous and CPU-bound; callers run it in a thread. Sizes are
checked from the header before any pixel is decoded, so a decompression bomb (a small
file that inflates to gigapixels) is refused without being expanded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from amityvox.media import blurhash

THUMBNAIL_SIZES = (256, 1024)  # longest side, in pixels
THUMBNAIL_TYPE = "image/webp"
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
_BLUR_SIDE = 32
MAX_FRAMES = 1000  # animation frames accepted, whatever their size


class BadImage(ValueError):
    """Not a decodable image of the type its bytes announce."""


class ImageTooLarge(ValueError):
    """More pixels than `image_max_pixels`: refused before decoding."""


@dataclass(frozen=True, slots=True)
class Checked:
    """An accepted image: its (possibly rewritten) bytes, dimensions and placeholder."""

    data: bytes
    width: int
    height: int
    blurhash: str
    animated: bool


@dataclass(frozen=True, slots=True)
class Thumbnail:
    size: int
    width: int
    height: int
    data: bytes


def _open(data: bytes, content_type: str, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=[_FORMATS[content_type]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge("the image has too many pixels") from None
    except Exception as exc:
        raise BadImage(f"not a readable {content_type} image") from exc
    width, height = im.size
    frames = getattr(im, "n_frames", 1)
    if width * height > max_pixels or frames > MAX_FRAMES or width * height * min(frames, 8) > 8 * max_pixels:
        raise ImageTooLarge(f"the image is {width}x{height} pixels, more than allowed ({max_pixels})")
    return im


def _has_metadata(im: Image.Image) -> bool:
    info = im.info
    if any(k in info for k in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")):
        return True
    if getattr(im, "text", None):  # PNG tEXt/iTXt/zTXt chunks
        return True
    return any(marker in ("APP1", "APP13") for marker, _ in getattr(im, "applist", []))


def _strip(im: Image.Image, content_type: str) -> bytes:
    """The image re-encoded without EXIF/GPS, XMP or text chunks, turned upright first (the
    orientation lived in the EXIF being removed). Colour profiles are kept."""
    icc = im.info.get("icc_profile")
    upright = ImageOps.exif_transpose(im) or im
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if content_type == "image/jpeg":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=90, **options)
    elif content_type == "image/png":
        upright.save(out, "PNG", **options)
    elif content_type == "image/webp":
        upright.save(out, "WEBP", quality=90, save_all=getattr(im, "n_frames", 1) > 1, **options)
    else:  # GIF carries no EXIF; keep it (and its animation) as it was
        raise AssertionError(content_type)
    return out.getvalue()


def _blurhash(im: Image.Image) -> str:
    small = im.convert("RGB")
    small.thumbnail((_BLUR_SIDE, _BLUR_SIDE))
    raw = small.tobytes()
    return blurhash.encode(list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True)), small.width, small.height)


def check(data: bytes, content_type: str, max_pixels: int) -> Checked:
    """Decode the whole image (a truncated or corrupt one is refused), measure it, strip its
    metadata and compute its BlurHash."""
    im = _open(data, content_type, max_pixels)
    try:
        im.load()
    except Exception as exc:
        raise BadImage(f"not a readable {content_type} image") from exc
    animated = getattr(im, "n_frames", 1) > 1
    stored = data
    if content_type != "image/gif" and _has_metadata(im):
        stored = _strip(im, content_type)
        im = Image.open(io.BytesIO(stored))
        im.load()
    if im.mode in ("P", "PA", "LA", "RGBA", "I", "I;16", "F", "CMYK", "1"):
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
        hash_source = flat
    else:
        hash_source = im
    return Checked(stored, im.width, im.height, _blurhash(hash_source), animated)


def thumbnails(
    data: bytes, content_type: str, max_pixels: int, sizes: tuple[int, ...] = THUMBNAIL_SIZES, keep_one: bool = False
) -> list[Thumbnail]:
    """WebP copies fitting in each of `sizes` (longest side), for the sizes smaller than the image
    (the first frame of an animation). `keep_one`: an image smaller than every size still gets
    one copy, at its own dimensions under the smallest size (a video's poster has no original
    image to stand in for it)."""
    im = _open(data, content_type, max_pixels)
    im.load()
    frame = im.convert("RGBA") if im.mode in ("P", "PA", "LA", "RGBA") else im.convert("RGB")
    out = []
    for size in sorted(sizes):
        if max(frame.size) <= size:
            continue
        copy = frame.copy()
        copy.thumbnail((size, size), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        copy.save(buf, "WEBP", quality=80, method=4)
        out.append(Thumbnail(size, copy.width, copy.height, buf.getvalue()))
    if keep_one and not out:
        buf = io.BytesIO()
        frame.save(buf, "WEBP", quality=80, method=4)
        out.append(Thumbnail(min(sizes), frame.width, frame.height, buf.getvalue()))
    return out
