#!/usr/bin/env python3
"""Writes the Windows and macOS app icons from the committed PNGs of packaging/icons/.

    scripts/platform-icons.py            writes packaging/windows/heliodesk.ico and packaging/macos/heliodesk.icns
    scripts/platform-icons.py --check    fails (exit 1) when either file differs from what the PNGs make now

Both formats simply wrap the PNG files (no re-encoding, Python's standard library only):
  .ico   one PNG-compressed entry per size of 16, 24, 32, 48, 64, 128 and 256 px (Windows Vista and later,
         the resource compiler and NSIS 3 read them);
  .icns  PNG entries icp4 16, icp5 32, icp6 64, ic07 128, ic08 256, ic09 512, ic10 1024 px and the Retina
         ones that reuse them (ic11 16@2x, ic12 32@2x, ic13 128@2x, ic14 256@2x), each only where the
         size exists.
The PNGs are found by their pixel size, wherever they sit under the source folder (heliodesk-48.png,
hicolor/48x48/apps/<id>.png, ...), so the layout of packaging/icons/ may change without this script.
After writing, both files are parsed back and every entry is compared with its PNG.
"""

import argparse
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (type, pixel size of the PNG it holds); ic10 is 512@2x and holds a 1024 px image.
ICNS_ENTRIES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024),
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; ValueError when it is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def find_pngs(source: pathlib.Path) -> dict[int, pathlib.Path]:
    """Square PNGs under `source` by their size; for a size found twice, the shortest path wins."""
    found: dict[int, pathlib.Path] = {}
    for path in sorted(source.rglob("*.png"), key=lambda p: (len(p.parts), str(p))):
        try:
            width, height = png_size(path.read_bytes())
        except ValueError:
            continue
        if width == height and width not in found:
            found[width] = path
    return found


def make_ico(images: dict[int, bytes]) -> bytes:
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = 6 + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = images[size]
        dimension = 0 if size >= 256 else size  # 0 means 256
        # width, height, colours in palette, reserved, colour planes, bits per pixel, bytes, offset
        entries += struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(data), offset)
        payload += data
        offset += len(data)
    return header + entries + payload


def make_icns(images: dict[int, bytes]) -> bytes:
    body = b""
    for kind, size in ICNS_ENTRIES:
        if size in images:
            data = images[size]
            body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_ico(blob: bytes) -> dict[int, bytes]:
    reserved, kind, count = struct.unpack_from("<HHH", blob, 0)
    if reserved != 0 or kind != 1:
        raise ValueError("not an icon file")
    images = {}
    for i in range(count):
        width, height, _, _, planes, bpp, length, offset = struct.unpack_from("<BBBBHHII", blob, 6 + 16 * i)
        data = blob[offset:offset + length]
        size = width or 256
        if (width, planes, bpp) != (height, 1, 32) or len(data) != length or png_size(data) != (size, size):
            raise ValueError(f"icon entry {i} ({size} px) is damaged")
        images[size] = data
    return images


def read_icns(blob: bytes) -> dict[bytes, bytes]:
    if blob[:4] != b"icns" or struct.unpack_from(">I", blob, 4)[0] != len(blob):
        raise ValueError("not an icns file, or its length is wrong")
    entries, offset = {}, 8
    while offset < len(blob):
        kind = blob[offset:offset + 4]
        (length,) = struct.unpack_from(">I", blob, offset + 4)
        if length < 8 or offset + length > len(blob):
            raise ValueError(f"icns entry {kind!r} runs past the end")
        entries[kind] = blob[offset + 8:offset + length]
        offset += length
    return entries


def verify(ico: bytes, icns: bytes, images: dict[int, bytes]) -> list[str]:
    """Parses both files back; returns one line per problem."""
    problems = []
    parsed_ico = read_ico(ico)
    for size in ICO_SIZES:
        if size in images and parsed_ico.get(size) != images[size]:
            problems.append(f"heliodesk.ico: the {size} px entry is not the PNG")
    parsed_icns = read_icns(icns)
    for kind, size in ICNS_ENTRIES:
        if size in images:
            if parsed_icns.get(kind) != images[size]:
                problems.append(f"heliodesk.icns: entry {kind.decode()} is not the {size} px PNG")
            elif png_size(parsed_icns[kind]) != (size, size):
                problems.append(f"heliodesk.icns: entry {kind.decode()} is not {size} px")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=pathlib.Path, default=ROOT / "packaging" / "icons",
                        help="folder searched for the PNGs (default: packaging/icons)")
    parser.add_argument("--ico", type=pathlib.Path, default=ROOT / "packaging" / "windows" / "heliodesk.ico")
    parser.add_argument("--icns", type=pathlib.Path, default=ROOT / "packaging" / "macos" / "heliodesk.icns")
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing them")
    args = parser.parse_args()

    pngs = find_pngs(args.source)
    wanted = set(ICO_SIZES) | {size for _, size in ICNS_ENTRIES}
    images = {size: pngs[size].read_bytes() for size in sorted(wanted & pngs.keys())}
    missing_ico = [s for s in ICO_SIZES if s not in images]
    if not images or 256 not in images:
        print(f"platform-icons: no square PNGs of 256 px (or none at all) under {args.source}; "
              "run scripts/icons.sh first.", file=sys.stderr)
        return 1

    ico, icns = make_ico({s: images[s] for s in ICO_SIZES if s in images}), make_icns(images)
    problems = verify(ico, icns, images)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    if args.check:
        stale = [str(p) for p, blob in ((args.ico, ico), (args.icns, icns)) if not p.exists() or p.read_bytes() != blob]
        if stale:
            print("platform-icons: out of date (run scripts/platform-icons.py): " + ", ".join(stale), file=sys.stderr)
            return 1
        print("platform-icons: heliodesk.ico and heliodesk.icns match the PNGs")
        return 0

    for path, blob in ((args.ico, ico), (args.icns, icns)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
    # Read back from disk, not from memory: what is committed is what was checked.
    problems = verify(args.ico.read_bytes(), args.icns.read_bytes(), images)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    icns_kinds = [k.decode() for k, s in ICNS_ENTRIES if s in images]
    print(f"{args.ico}: {len(ico)} bytes, PNG entries {', '.join(str(s) for s in ICO_SIZES if s in images)} px")
    print(f"{args.icns}: {len(icns)} bytes, entries {', '.join(icns_kinds)}")
    if missing_ico:
        print(f"note: no PNG of {', '.join(map(str, missing_ico))} px; the .ico goes without those sizes")
    print("sources: " + ", ".join(f"{s}={pngs[s].relative_to(args.source)}" for s in sorted(images)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
