//! Draws one certificate as a one-page A4 PDF: the design's texts with their placeholders filled,
//! in DejaVu Serif (embedded and subset, so accented Latin, Greek and Cyrillic names print and
//! can be copied out as text), a border in the accent colour (or the template's background
//! image), its logo, the signatory's line with a signature image, and a QR code that opens the
//! verification page. Pure: same design, images and fields, same drawing.

use super::model::{Design, Fields, fill, parse_colour};
use crate::error::AppError;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size as Area, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSerif.ttf");
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSerif-Bold.ttf");

/// One of the two faces, for drawing (krilla) and measuring (skrifa, which krilla itself uses).
struct Face {
    font: Font,
    data: &'static [u8],
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Face, AppError> {
        let font = Font::new(data.into(), 0).ok_or_else(|| broken("font"))?;
        Ok(Face { font, data })
    }

    /// The text's advance width at `size` points (kerning left out: close enough to centre).
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = skrifa::FontRef::new(self.data) else {
            return text.chars().count() as f32 * size * 0.5;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size * 0.5)
            })
            .sum()
    }
}

fn broken(what: &str) -> AppError {
    tracing::error!(what, "drawing a certificate failed");
    AppError::Internal
}

/// The images a design draws, parsed (krilla decodes them while it writes the PDF).
#[derive(Default)]
pub struct Pictures {
    pub background: Option<Image>,
    pub logo: Option<Image>,
    pub signature: Option<Image>,
}

/// An uploaded image, checked through: PNG or JPEG, no side over `MAX_IMAGE_SIDE` pixels (read
/// from its header, before anything is decoded), and decodable (drawn once into a scratch PDF).
/// Returns its content type and size, or what is wrong with it in words for the uploader.
pub fn check_picture(bytes: &[u8]) -> Result<(&'static str, (u32, u32)), String> {
    let (content_type, image) = parse_picture(bytes.to_vec())?;
    let (w, h) = image.size();
    if w.max(h) > super::model::MAX_IMAGE_SIDE {
        return Err(format!(
            "This image is {w} × {h} pixels: keep each side to {} pixels.",
            super::model::MAX_IMAGE_SIDE
        ));
    }
    let mut document = Document::new();
    let settings = PageSettings::from_wh(100.0, 100.0).ok_or("page size")?;
    let mut page = document.start_page_with(settings);
    {
        let mut s = page.surface();
        draw_picture(&mut s, &image, 0.0, 0.0, 100.0, 100.0);
        s.finish();
    }
    page.finish();
    document.finish().map_err(|e| {
        tracing::warn!(error = ?e, "an uploaded certificate image does not decode");
        UNREADABLE.to_string()
    })?;
    Ok((content_type, (w, h)))
}

const UNREADABLE: &str = "This image could not be read. Save it again as PNG or JPEG.";

/// A stored image as krilla draws it, by its first bytes.
pub fn parse_picture(bytes: Vec<u8>) -> Result<(&'static str, Image), String> {
    let unreadable = |e: String| {
        tracing::warn!(error = %e, "a certificate image's header cannot be read");
        UNREADABLE.to_string()
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok((
            "image/png",
            Image::from_png(bytes.into(), true).map_err(unreadable)?,
        ))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Ok((
            "image/jpeg",
            Image::from_jpeg(bytes.into(), true).map_err(unreadable)?,
        ))
    } else {
        Err("Choose a PNG or JPEG image.".into())
    }
}

/// `image` stretched to `w` × `h` points with its top left corner at (`x`, `y`).
fn draw_picture(s: &mut Surface, image: &Image, x: f32, y: f32, w: f32, h: f32) {
    let Some(area) = Area::from_wh(w, h) else {
        return;
    };
    s.push_transform(&Transform::from_translate(x, y));
    s.draw_image(image.clone(), area);
    s.pop();
}

/// The size `image` takes inside a `max_w` × `max_h` box, keeping its proportions.
fn fitted(image: &Image, max_w: f32, max_h: f32) -> (f32, f32) {
    let (iw, ih) = image.size();
    let (iw, ih) = (iw.max(1) as f32, ih.max(1) as f32);
    let scale = (max_w / iw).min(max_h / ih);
    (iw * scale, ih * scale)
}

/// A logo's box (5 × 2 cm) and a signature's (7.5 × 2 cm), in points.
const LOGO_BOX: (f32, f32) = (141.7, 56.7);
const SIGNATURE_BOX: (f32, f32) = (212.6, 56.7);

/// The certificate's PDF. `verify_url` is the public verification page (drawn as a QR code and
/// as a link).
pub fn render(
    design: &Design,
    pictures: &Pictures,
    fields: &Fields,
    verify_url: &str,
) -> Result<Vec<u8>, AppError> {
    let regular = Face::load(REGULAR)?;
    let bold = Face::load(BOLD)?;
    let (w, h) = design.orientation.page_size();
    let (r, g, b) = parse_colour(&design.accent).unwrap_or((0x1d, 0x4e, 0xd8));
    let accent = rgb::Color::new(r, g, b);
    let ink = rgb::Color::new(0x1f, 0x29, 0x37);

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "{} – {}",
                fill(&design.heading, fields),
                fields.learner
            ))
            .creator("Lyceum".into())
            .language("en".into()),
    );
    let settings = PageSettings::from_wh(w, h).ok_or_else(|| broken("page size"))?;
    let mut page = document.start_page_with(settings);
    let bottom = h - 70.0;
    let qr_size = 84.0;
    let qr_x = w - 90.0 - qr_size;
    let qr_y = bottom - qr_size - 10.0;
    {
        let mut s = page.surface();
        // A background covers the page (cropped at its edges rather than stretched) and takes
        // the drawn border's place.
        match &pictures.background {
            Some(image) => {
                let (iw, ih) = image.size();
                let scale = (w / iw.max(1) as f32).max(h / ih.max(1) as f32);
                let (bw, bh) = (iw as f32 * scale, ih as f32 * scale);
                draw_picture(&mut s, image, (w - bw) / 2.0, (h - bh) / 2.0, bw, bh);
            }
            None => frame(&mut s, w, h, accent)?,
        }

        let max = w - 160.0;
        let mut y: f32 = if h > w { 190.0 } else { 130.0 };
        if let Some(logo) = &pictures.logo {
            let (lw, lh) = fitted(logo, LOGO_BOX.0, LOGO_BOX.1);
            let top = if h > w { 110.0 } else { 52.0 };
            draw_picture(&mut s, logo, (w - lw) / 2.0, top, lw, lh);
            y = y.max(top + lh + 40.0);
        }
        let heading = fill(&design.heading, fields);
        y = centred(&mut s, &bold, &heading, 34.0, max, w, y, accent) + 24.0;
        rule(
            &mut s,
            w / 2.0 - 60.0,
            w / 2.0 + 60.0,
            y - 14.0,
            accent,
            1.2,
        )?;
        y += 14.0;
        // A line that is one placeholder only (the name, the title) stands out.
        for line in design.body.lines() {
            let text = fill(line, fields);
            if text.trim().is_empty() {
                y += 12.0;
                continue;
            }
            let alone = line.trim().starts_with('{')
                && line.trim().ends_with('}')
                && line.trim().matches('{').count() == 1;
            y = if alone {
                centred(&mut s, &bold, &text, 28.0, max, w, y + 8.0, ink) + 8.0
            } else {
                centred(&mut s, &regular, &text, 17.0, max, w, y, ink)
            };
        }

        // The signatory's line (with the signature above it), bottom left; the QR code, bottom
        // right.
        if !design.signatory.trim().is_empty() || pictures.signature.is_some() {
            let left = 90.0;
            if let Some(signature) = &pictures.signature {
                let (sw, sh) = fitted(signature, SIGNATURE_BOX.0, SIGNATURE_BOX.1);
                draw_picture(&mut s, signature, left, bottom - 43.0 - sh, sw, sh);
            }
            rule(&mut s, left, left + 220.0, bottom - 40.0, ink, 0.8)?;
            let mut sy = bottom - 22.0;
            for line in design.signatory.lines() {
                let text = fill(line, fields);
                let size = fit(&regular, &text, 12.0, 220.0);
                text_at(&mut s, &regular, &text, size, left, sy, ink);
                sy += 15.0;
            }
        }
        qr(&mut s, verify_url, qr_x, qr_y, qr_size)?;
        let hint = "Scan to verify";
        let hw = regular.width(hint, 8.0);
        text_at(
            &mut s,
            &regular,
            hint,
            8.0,
            qr_x + (qr_size - hw) / 2.0,
            qr_y + qr_size + 11.0,
            ink,
        );

        let footer = fill(&design.footer, fields);
        if !footer.trim().is_empty() {
            centred(&mut s, &regular, &footer, 10.0, max, w, h - 48.0, ink);
        }
        s.finish();
    }
    let link = krilla::annotation::LinkAnnotation::new(
        Rect::from_xywh(qr_x, qr_y, qr_size, qr_size).ok_or_else(|| broken("link"))?,
        krilla::annotation::Target::Action(
            krilla::action::LinkAction::new(verify_url.to_string()).into(),
        ),
    );
    page.add_annotation(krilla::annotation::Annotation::new_link(
        link,
        Some("Verify this certificate".into()),
    ));
    page.finish();
    document.finish().map_err(|e| {
        tracing::error!(error = ?e, "writing a certificate PDF failed");
        AppError::Internal
    })
}

fn fill_with(s: &mut Surface, colour: rgb::Color) {
    s.set_fill(Some(Fill {
        paint: colour.into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

/// A double border in the accent colour.
fn frame(s: &mut Surface, w: f32, h: f32, accent: rgb::Color) -> Result<(), AppError> {
    s.set_fill(None);
    for (inset, width) in [(22.0, 5.0), (34.0, 1.0)] {
        let mut pb = PathBuilder::new();
        pb.push_rect(
            Rect::from_xywh(inset, inset, w - 2.0 * inset, h - 2.0 * inset)
                .ok_or_else(|| broken("frame"))?,
        );
        let path = pb.finish().ok_or_else(|| broken("frame"))?;
        s.set_stroke(Some(Stroke {
            paint: accent.into(),
            width,
            ..Default::default()
        }));
        s.draw_path(&path);
    }
    s.set_stroke(None);
    Ok(())
}

fn rule(
    s: &mut Surface,
    x1: f32,
    x2: f32,
    y: f32,
    colour: rgb::Color,
    width: f32,
) -> Result<(), AppError> {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y);
    pb.line_to(x2, y);
    let path = pb.finish().ok_or_else(|| broken("rule"))?;
    s.set_fill(None);
    s.set_stroke(Some(Stroke {
        paint: colour.into(),
        width,
        ..Default::default()
    }));
    s.draw_path(&path);
    s.set_stroke(None);
    Ok(())
}

fn text_at(s: &mut Surface, face: &Face, text: &str, size: f32, x: f32, y: f32, c: rgb::Color) {
    fill_with(s, c);
    s.draw_text(
        Point::from_xy(x, y),
        face.font.clone(),
        size,
        text,
        false,
        TextDirection::Auto,
    );
}

/// The size at which `text` fits in `max` points (never below half of `size`).
fn fit(face: &Face, text: &str, size: f32, max: f32) -> f32 {
    let width = face.width(text, size);
    if width <= max {
        size
    } else {
        (size * max / width).max(size / 2.0)
    }
}

/// Draws `text` centred, wrapped at words to `max` points wide; returns the next line's baseline.
#[allow(clippy::too_many_arguments)]
fn centred(
    s: &mut Surface,
    face: &Face,
    text: &str,
    size: f32,
    max: f32,
    page_w: f32,
    mut y: f32,
    colour: rgb::Color,
) -> f32 {
    for line in wrap(face, text, size, max) {
        let size = fit(face, &line, size, max);
        let width = face.width(&line, size);
        text_at(s, face, &line, size, (page_w - width) / 2.0, y, colour);
        y += size * 1.35;
    }
    y
}

/// Splits at spaces into lines no wider than `max` (a word wider than that stays whole: `fit`
/// shrinks it).
fn wrap(face: &Face, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && face.width(&candidate, size) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The verification link as a QR code (medium error correction), dark modules filled black.
fn qr(s: &mut Surface, url: &str, x: f32, y: f32, size: f32) -> Result<(), AppError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| crate::error::internal("drawing a certificate's QR code", e))?;
    let n = code.width();
    let cell = size / n as f32;
    let mut pb = PathBuilder::new();
    for (i, dark) in code.to_colors().into_iter().enumerate() {
        if dark == qrcode::Color::Dark {
            let (row, col) = (i / n, i % n);
            if let Some(r) = Rect::from_xywh(
                x + col as f32 * cell,
                y + row as f32 * cell,
                cell + 0.05,
                cell + 0.05,
            ) {
                pb.push_rect(r);
            }
        }
    }
    if let Some(path) = pb.finish() {
        s.set_stroke(None);
        fill_with(s, rgb::Color::black());
        s.draw_path(&path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_width() {
        let face = Face::load(REGULAR).unwrap();
        let text = "word ".repeat(60);
        let lines = wrap(&face, &text, 17.0, 400.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| face.width(l, 17.0) <= 400.0));
        assert!(face.width("Ωμέγα Жизнь", 20.0) > 50.0);
    }

    #[test]
    fn a_certificate_is_a_pdf() {
        let pdf = render(
            &Design::default(),
            &Pictures::default(),
            &Fields::sample(),
            "https://lyceum.example/verify/SAMP-LE00-0000",
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200_000, "fonts are subset: {} bytes", pdf.len());
    }

    fn png(w: u32, h: u32, rgba: [u8; 4]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgba);
        let mut writer = encoder.write_header().unwrap();
        writer
            .write_image_data(&rgba.repeat((w * h) as usize))
            .unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn images_are_checked_and_drawn_in_their_places() {
        assert_eq!(
            check_picture(&png(30, 20, [0; 4])).unwrap(),
            ("image/png", (30, 20))
        );
        assert!(
            check_picture(b"%PDF-1.7")
                .unwrap_err()
                .contains("PNG or JPEG")
        );
        let pictures = Pictures {
            background: Some(parse_picture(png(40, 56, [250, 245, 230, 255])).unwrap().1),
            logo: Some(parse_picture(png(300, 100, [200, 30, 30, 255])).unwrap().1),
            signature: Some(parse_picture(png(200, 60, [20, 20, 120, 255])).unwrap().1),
        };
        let design = Design {
            signatory: "Dr Ana Silva".into(),
            ..Design::default()
        };
        let pdf = render(
            &design,
            &pictures,
            &Fields::sample(),
            "https://l.example/verify/X",
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if let Ok(path) = std::env::var("LYCEUM_WRITE_SAMPLE_CERTIFICATE") {
            std::fs::write(path, &pdf).unwrap();
        }
        // A wide logo takes the box's width and keeps its proportions.
        let (w, h) = fitted(pictures.logo.as_ref().unwrap(), LOGO_BOX.0, LOGO_BOX.1);
        assert!(w == LOGO_BOX.0 && (h - w / 3.0).abs() < 0.01, "{w} × {h}");
    }
}
