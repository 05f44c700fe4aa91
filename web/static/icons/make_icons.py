"""Draw the PNG icons from the same shapes as icon.svg (a winding route between two stops).

Run once after changing the design, with Pillow installed, and commit the PNGs:
    python web/static/icons/make_icons.py
The server never runs this; it only serves the files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
TEAL = (11, 85, 102, 255)
WHITE = (255, 255, 255, 255)
AMBER = (242, 165, 65, 255)
# The two cubic Bézier segments of icon.svg's path, in its 64×64 box.
SEGMENTS = [((18, 50), (18, 36), (46, 40), (46, 27)), ((46, 27), (46, 17), (36, 14), (30, 14))]


Point = tuple[float, float]


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 200) -> Iterator[Point]:
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        yield (
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        )


def draw(
    size: int, *, maskable: bool = False, canvas: tuple[int, int] | None = None
) -> Image.Image:
    """The icon at ``size`` px; ``maskable`` keeps the drawing in the 80 % safe zone on a full
    background; ``canvas`` centres it on a larger teal card (link previews)."""
    width, height = canvas or (size, size)
    scale = 4  # draw large, then shrink: smooth edges without an antialiasing API
    image = Image.new(
        "RGBA", (width * scale, height * scale), TEAL if maskable or canvas else (0, 0, 0, 0)
    )
    pen = ImageDraw.Draw(image)
    box = size * scale * (0.8 if maskable else 1.0)
    ox = (width * scale - box) / 2
    oy = (height * scale - box) / 2
    unit = box / 64

    def at(x: float, y: float) -> tuple[float, float]:
        return ox + x * unit, oy + y * unit

    if not maskable and not canvas:
        pen.rounded_rectangle([at(0, 0), at(64, 64)], radius=14 * unit, fill=TEAL)
    stroke = 3 * unit
    for segment in SEGMENTS:
        for x, y in _bezier(*segment):
            cx, cy = at(x, y)
            pen.ellipse([cx - stroke, cy - stroke, cx + stroke, cy + stroke], fill=WHITE)
    for x, y in ((18, 50), (30, 14)):
        cx, cy = at(x, y)
        r = 6.5 * unit
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=AMBER)
    return image.resize((width, height), Image.Resampling.LANCZOS)


def main() -> None:
    draw(192).save(HERE / "icon-192.png", optimize=True)
    draw(512).save(HERE / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(HERE / "icon-maskable-512.png", optimize=True)
    # Link previews: 1200×630 (WhatsApp drops images above ~300 KB; this one is tiny).
    draw(360, canvas=(1200, 630)).convert("RGB").save(HERE / "og-card.png", optimize=True)


if __name__ == "__main__":
    main()
