//! Avatars: checked, re-encoded to a 512 × 512 PNG without metadata, stored in the database.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, imageops::FilterType};
use paygate_core::{AppError, AppResult, ErrorCode};
use paygate_store::{media, owners, users};

use crate::Services;
use crate::actor::Actor;

pub const AVATAR_MAX_BYTES: usize = 2 * 1024 * 1024;
const AVATAR_MAX_SIDE: u32 = 4096;
const AVATAR_SIDE: u32 = 512;

/// Whose avatar an upload replaces.
#[derive(Debug, Clone, Copy)]
pub enum AvatarOf {
    User,
    Owner,
}

/// PNG or JPEG of at most 4096 × 4096 → 512 × 512 PNG.
pub fn reencode_avatar(bytes: &[u8]) -> AppResult<Vec<u8>> {
    if bytes.len() > AVATAR_MAX_BYTES {
        return Err(AppError::field(ErrorCode::PayloadTooLarge, "file", "Avatar larger than 2 MB"));
    }
    let format = match bytes {
        [0x89, b'P', b'N', b'G', ..] => ImageFormat::Png,
        [0xFF, 0xD8, 0xFF, ..] => ImageFormat::Jpeg,
        _ => {
            return Err(AppError::field(ErrorCode::UnsupportedMediaType, "file", "Avatar must be PNG or JPEG"));
        }
    };
    let unreadable = || AppError::field(ErrorCode::FieldFormat, "file", "The image cannot be read");
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (w, h) = reader.into_dimensions().map_err(|_| unreadable())?;
    if w > AVATAR_MAX_SIDE || h > AVATAR_MAX_SIDE || w == 0 || h == 0 {
        return Err(AppError::field(ErrorCode::FieldRange, "file", "Avatar larger than 4096 × 4096 pixels"));
    }
    let img = ImageReader::with_format(Cursor::new(bytes), format).decode().map_err(|_| unreadable())?;
    let square = img.resize_to_fill(AVATAR_SIDE, AVATAR_SIDE, FilterType::Triangle);
    let mut out = Vec::new();
    square.to_rgba8().write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(AppError::internal)?;
    Ok(out)
}

impl Services {
    /// Stores a new avatar and returns its name (`<32 hex>.png`).
    pub async fn set_avatar(&self, actor: &Actor, of: AvatarOf, bytes: Vec<u8>) -> AppResult<String> {
        let png = tokio::task::spawn_blocking(move || reencode_avatar(&bytes)).await.map_err(AppError::internal)??;
        let name = format!("{}.png", hex::encode(crate::crypto::random_bytes(16)));
        let mut tx = self.store.begin().await?;
        let previous = match of {
            AvatarOf::User => users::by_id(&mut tx, actor.user_id).await?.and_then(|u| u.avatar),
            AvatarOf::Owner => {
                let id = actor.owner.ok_or_else(|| AppError::new(ErrorCode::NoActiveOwner, "No active owner"))?.id;
                owners::by_id(&mut tx, id).await?.and_then(|o| o.avatar)
            }
        };
        media::insert(&mut tx, &name, &png, self.now()).await?;
        match of {
            AvatarOf::User => users::set_avatar(&mut tx, actor.user_id, &name).await?,
            AvatarOf::Owner => {
                owners::set_avatar(&mut tx, actor.owner.map(|o| o.id).unwrap_or_default(), &name).await?
            }
        }
        if let Some(prev) = previous {
            media::delete(&mut tx, &prev).await?;
        }
        tx.commit().await?;
        Ok(name)
    }

    pub async fn avatar(&self, name: &str) -> AppResult<Vec<u8>> {
        let valid = name.len() == 36
            && name.ends_with(".png")
            && name[..32].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if !valid {
            return Err(AppError::not_found("Avatar"));
        }
        let mut c = self.store.conn().await?;
        media::get(&mut c, name).await?.ok_or_else(|| AppError::not_found("Avatar"))
    }

    /// Public URL of a stored avatar name.
    pub fn avatar_url(&self, name: &Option<String>) -> Option<String> {
        name.as_ref().map(|n| format!("{}/media/avatar/{n}", self.config.public_base_url.trim_end_matches('/')))
    }
}
