//! Mentor photos: an upload is checked (type by its content, size, dimensions, with decoding
//! limits so a hostile file costs little), cropped to a square and re-encoded by Stint, so
//! only pictures Stint made are ever served.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use image::{ImageFormat, ImageReader, Limits, imageops::FilterType};
use std::io::Cursor;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::UserId;
use stint_domain::role::Role;
use stint_store::MentorPhoto;

/// The largest upload taken, in bytes.
pub const PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The side of the square served, in pixels (twice the largest size shown, for sharp screens).
pub const PHOTO_SIDE: u32 = 256;
/// The smallest upload taken, in pixels per side.
const PHOTO_MIN_SIDE: u32 = 64;
/// The largest picture decoded, in pixels per side, and the memory decoding may take.
const DECODE_MAX_SIDE: u32 = 8_000;
const DECODE_MAX_BYTES: u64 = 256 * 1024 * 1024;

fn refused(message: impl Into<String>) -> AppError {
    AppError::validation(FieldErrors::single("photo", message))
}

/// The served picture of an upload: a `PHOTO_SIDE` square JPEG, or why it cannot be one.
pub fn square_jpeg(upload: &[u8]) -> Result<Vec<u8>, String> {
    if upload.len() > PHOTO_MAX_BYTES {
        return Err(format!(
            "must be at most {} MB",
            PHOTO_MAX_BYTES / (1024 * 1024)
        ));
    }
    let format = image::guess_format(upload)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP))
        .ok_or("must be a PNG, JPEG or WebP picture")?;
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(DECODE_MAX_SIDE);
    limits.max_image_height = Some(DECODE_MAX_SIDE);
    limits.max_alloc = Some(DECODE_MAX_BYTES);
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|_| format!("could not be read (at most {DECODE_MAX_SIDE} pixels a side)"))?;
    if picture.width() < PHOTO_MIN_SIDE || picture.height() < PHOTO_MIN_SIDE {
        return Err(format!(
            "must be at least {PHOTO_MIN_SIDE} × {PHOTO_MIN_SIDE} pixels"
        ));
    }
    let square = picture
        .resize_to_fill(PHOTO_SIDE, PHOTO_SIDE, FilterType::CatmullRom)
        .to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&square)
        .map_err(|_| "could not be saved".to_string())?;
    Ok(out)
}

/// Replaces the viewer's photo with `upload`, made square (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_photo(app: &App, me: &Account, upload: Vec<u8>) -> Result<(), AppError> {
    require(me, Role::Mentor)?;
    // Decoding is CPU work: off the async threads, one picture at a time per request.
    let jpeg = tokio::task::spawn_blocking(move || square_jpeg(&upload))
        .await
        .map_err(|_| AppError::internal())?
        .map_err(refused)?;
    let photo = MentorPhoto {
        content_type: "image/jpeg".into(),
        bytes: jpeg,
        updated_at: app.now(),
    };
    Ok(app.store.save_mentor_photo(me.id, &photo).await?)
}

/// Removes the viewer's photo (mentors); their initials are shown instead.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove_photo(app: &App, me: &Account) -> Result<bool, AppError> {
    require(me, Role::Mentor)?;
    Ok(app.store.remove_mentor_photo(me.id).await?)
}

/// When the viewer's photo was saved (seconds), to link its newest version; `None`: none.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own_photo_time(app: &App, me: &Account) -> Result<Option<i64>, AppError> {
    Ok(app
        .store
        .mentor_photo(me.id)
        .await?
        .map(|p| p.updated_at.as_second()))
}

/// A mentor's photo, or their initials and a colour to draw instead.
pub enum Portrait {
    Photo(MentorPhoto),
    Initials { letters: String, hue: u16 },
}

/// The portrait of mentor `id` (who must have a public profile).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn portrait(app: &App, id: UserId) -> Result<Portrait, AppError> {
    let profile = crate::mentors::profile(app, id).await?;
    if let Some(photo) = app.store.mentor_photo(id).await? {
        return Ok(Portrait::Photo(photo));
    }
    Ok(Portrait::Initials {
        letters: initials(&profile.display_name),
        // The golden angle apart: neighbouring ids get clearly different colours.
        hue: u16::try_from((id.0 * 137).rem_euclid(360)).unwrap_or(0),
    })
}

/// "Maya Okafor" → "MO"; one name → its first letter.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let pick = match words.as_slice() {
        [] => Vec::new(),
        [one] => vec![*one],
        [first, .., last] => vec![*first, *last],
    };
    pick.iter()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 80, 40]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn uploads_become_small_squares() {
        let jpeg = square_jpeg(&png(640, 400)).unwrap();
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (PHOTO_SIDE, PHOTO_SIDE));
        assert!(square_jpeg(&png(40, 40)).unwrap_err().contains("at least"));
        assert!(
            square_jpeg(b"GIF89a not allowed")
                .unwrap_err()
                .contains("PNG")
        );
        assert!(square_jpeg(&vec![0u8; PHOTO_MAX_BYTES + 1]).is_err());
    }

    #[test]
    fn a_picture_claiming_to_be_huge_is_refused_before_decoding() {
        // A PNG header announcing 100,000 × 100,000 pixels (40 GB decoded), with no data.
        let mut bomb = png(64, 64);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(
            square_jpeg(&bomb)
                .unwrap_err()
                .contains("could not be read")
        );
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Maya Okafor"), "MO");
        assert_eq!(initials("Liam"), "L");
        assert_eq!(initials("Ana María de la Cruz"), "AC");
        assert_eq!(initials(""), "");
    }
}
