//! Images a template draws (background or border, logo, signature): uploaded by those who
//! design certificates, checked through before they are kept (PNG or JPEG, size, decodable), and
//! read back in one query when a certificate is drawn.

use super::model::{Design, ImageSlot, MAX_IMAGE_BYTES};
use super::pdf::{Pictures, check_picture, parse_picture};
use super::service::{change_design, require};
use super::store;
use crate::audit;
use crate::auth::permissions::Actor;
use crate::db::{Tx, now};
use crate::error::{AppError, internal};
use crate::state::AppState;

/// What an upload that is not a usable image is told, next to the file field.
fn refused(message: impl Into<String>) -> AppError {
    AppError::invalid("file", message)
}

pub fn too_large() -> AppError {
    refused(format!(
        "This image is over {} MB. Save it smaller and upload it again.",
        MAX_IMAGE_BYTES / (1024 * 1024)
    ))
}

/// Keeps an uploaded image and puts it in the template's `slot`; returns the image's id.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    template_id: i64,
    slot: ImageSlot,
    bytes: Vec<u8>,
) -> Result<i64, AppError> {
    require(actor)?;
    // The template first, so an upload to one that is gone keeps nothing.
    store::template(&state.db, template_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if bytes.is_empty() {
        return Err(refused("Choose an image to upload."));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(too_large());
    }
    // Decoding is CPU work: off the request threads.
    let (checked, bytes) = tokio::task::spawn_blocking(move || (check_picture(&bytes), bytes))
        .await
        .map_err(|e| internal("checking a certificate image", e))?;
    let (content_type, size) = checked.map_err(refused)?;
    let at = now();
    // Kept and put in its slot together: an upload to a template deleted meanwhile keeps
    // nothing, and the image it replaces goes.
    let mut tx = state.db.begin().await?;
    let id = store::add_image(&mut tx, content_type, size, &bytes, at).await?;
    set(&mut tx, actor, template_id, slot, Some(id), at).await?;
    tx.commit().await?;
    Ok(id)
}

/// Takes the image out of the template's `slot` (the certificate draws none there).
pub async fn remove(
    state: &AppState,
    actor: &Actor,
    template_id: i64,
    slot: ImageSlot,
) -> Result<(), AppError> {
    require(actor)?;
    let mut tx = state.db.begin().await?;
    set(&mut tx, actor, template_id, slot, None, now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn set(
    tx: &mut Tx,
    actor: &Actor,
    template_id: i64,
    slot: ImageSlot,
    image: Option<i64>,
    at: i64,
) -> Result<(), AppError> {
    let (name, _) = change_design(
        tx,
        template_id,
        |_, design| design.images.set(slot, image),
        at,
    )
    .await?;
    audit::record(
        tx,
        actor,
        audit::Entry::new(
            "certificate_template.image",
            "certificate_template",
            Some(template_id),
            &name,
        )
        .after(&(slot, image)),
        at,
    )
    .await?;
    Ok(())
}

/// One image's type and bytes, for the template editor's preview.
pub async fn image(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<(String, Vec<u8>), AppError> {
    require(actor)?;
    store::images(&state.db, &[id])
        .await?
        .into_iter()
        .next()
        .map(|(_, content_type, data)| (content_type, data))
        .ok_or(AppError::NotFound)
}

/// The images `design` names, read in one query and parsed. One that cannot be read any more
/// is left out (and logged) rather than keeping the certificate from being drawn.
pub async fn pictures(state: &AppState, design: &Design) -> Result<Pictures, AppError> {
    let wanted: Vec<(ImageSlot, i64)> = ImageSlot::ALL
        .into_iter()
        .filter_map(|slot| design.images.get(slot).map(|id| (slot, id)))
        .collect();
    let ids: Vec<i64> = wanted.iter().map(|(_, id)| *id).collect();
    let rows = store::images(&state.db, &ids).await?;
    let mut pictures = Pictures::default();
    for (slot, id) in wanted {
        let Some((_, _, data)) = rows.iter().find(|(i, _, _)| *i == id) else {
            continue;
        };
        let image = match parse_picture(data.clone()) {
            Ok((_, image)) => image,
            Err(e) => {
                tracing::error!(image = id, error = %e, "a stored certificate image cannot be read");
                continue;
            }
        };
        match slot {
            ImageSlot::Background => pictures.background = Some(image),
            ImageSlot::Logo => pictures.logo = Some(image),
            ImageSlot::Signature => pictures.signature = Some(image),
        }
    }
    Ok(pictures)
}
