"""Draws Breakroom's Teams icons into adapters/teams/: run `python manifest/teams/draw_icons.py`.

Kept so the icons can be redrawn rather than edited by hand. The mark is a coffee cup whose
steam is a speech bubble: a break, and a conversation. Teams wants a 192x192 full-colour icon
and a 32x32 outline that is white on transparent.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[2] / "adapters" / "teams"
BRAND = (14, 124, 123, 255)  # teal: the accentColor in manifest.json
WHITE = (255, 255, 255, 255)
SCALE = 8  # draw large, then downsample, for smooth edges


def draw_mark(draw: ImageDraw.ImageDraw, size: int, inset: float, line: float) -> None:
    """The cup and bubble in white, on a square canvas `size` wide, within `inset` of its edge."""

    def at(x: float, y: float) -> tuple[float, float]:
        span = size - 2 * inset
        return inset + x * span, inset + y * span

    width = max(1, round(line * size))
    # Speech bubble rising from the cup, with a small tail pointing down into it.
    draw.rounded_rectangle([at(0.30, 0.00), at(0.80, 0.30)], radius=0.08 * size, fill=WHITE)
    draw.polygon([at(0.42, 0.28), at(0.52, 0.28), at(0.42, 0.40)], fill=WHITE)
    # The cup: a rounded body, a handle on the right, a saucer underneath.
    draw.rounded_rectangle([at(0.10, 0.42), at(0.70, 0.88)], radius=0.10 * size, fill=WHITE)
    draw.ellipse([at(0.62, 0.50), at(0.92, 0.78)], outline=WHITE, width=width)
    draw.rounded_rectangle([at(0.02, 0.91), at(0.80, 1.00)], radius=0.04 * size, fill=WHITE)


def color_icon() -> Image.Image:
    size = 192 * SCALE
    image = Image.new("RGBA", (size, size), BRAND)
    draw_mark(ImageDraw.Draw(image), size, inset=0.2 * size, line=0.035)
    return image.resize((192, 192), Image.Resampling.LANCZOS)


def outline_icon() -> Image.Image:
    size = 32 * SCALE
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw_mark(ImageDraw.Draw(image), size, inset=0.06 * size, line=0.07)
    return image.resize((32, 32), Image.Resampling.LANCZOS)


def main() -> None:
    color_icon().convert("RGB").save(OUT / "color.png", optimize=True)
    outline_icon().save(OUT / "outline.png", optimize=True)
    print(f"wrote {OUT / 'color.png'} and {OUT / 'outline.png'}")


if __name__ == "__main__":
    main()
