//! Sealed cursors. A cursor's content (a row's sort key and id, an event's feed position) is
//! encrypted and authenticated with the server's cursor key, with the workspace it was made in
//! as associated data. So a client learns nothing from a cursor — in particular not the global
//! event position, whose gaps would measure other tenants' write volume — cannot forge or edit
//! one, and cannot use one in another workspace: each of these is `BAD_USER_INPUT`.
//!
//! AES-256-GCM-SIV with a synthetic nonce (a hash of the workspace and the content) makes
//! sealing deterministic: the same position in the same workspace always gives the same cursor,
//! so `pageInfo.endCursor` equals the last edge's cursor, and equality is all it reveals.
//!
//! The key comes from `--cursor-key` (64 hex digits) or, by default, from the database
//! (`server_keys`), made by the first instance: every instance on a database then shares it
//! with nothing to configure, and a cursor survives restarts and moves between instances.

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use async_graphql::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::DbPool;
use crate::error::AppError;

const NONCE_LEN: usize = 12;

/// The key every cursor of this server is sealed with.
#[derive(Clone)]
pub struct CursorKey(Aes256GcmSiv);

impl CursorKey {
    pub fn new(secret: &[u8; 32]) -> CursorKey {
        CursorKey(Aes256GcmSiv::new(secret.into()))
    }

    /// A key for this process only: for tools and schema exports that hand out no cursors
    /// anyone keeps.
    pub fn ephemeral() -> CursorKey {
        CursorKey::new(&rand::random())
    }

    /// The configured key (64 hex digits), else the database's shared one.
    pub async fn load(pool: &DbPool, configured: Option<&str>) -> anyhow::Result<CursorKey> {
        if let Some(hex_key) = configured {
            return CursorKey::from_hex(hex_key);
        }
        let mut conn = pool.get().await?;
        let secret = crate::db::server_keys::get_or_create(&mut conn, "cursor").await?;
        Ok(CursorKey::new(&secret))
    }

    pub fn from_hex(hex_key: &str) -> anyhow::Result<CursorKey> {
        let bytes = hex::decode(hex_key.trim())
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| anyhow::anyhow!("the cursor key must be 64 hex digits (32 bytes)"))?;
        Ok(CursorKey::new(&bytes))
    }
}

/// The cursors of one request: the server's key, bound to the acting workspace.
#[derive(Clone, Copy)]
pub struct Cursors<'a> {
    key: &'a CursorKey,
    workspace: Uuid,
}

impl<'a> Cursors<'a> {
    pub fn new(key: &'a CursorKey, workspace: Uuid) -> Cursors<'a> {
        Cursors { key, workspace }
    }

    /// The request's cursors, from the schema's key and the acting key's workspace.
    pub fn of(ctx: &'a Context<'_>) -> Result<Cursors<'a>, AppError> {
        let key = ctx
            .data_opt::<CursorKey>()
            .ok_or_else(|| AppError::internal("no cursor key in the schema"))?;
        Ok(Cursors::new(key, super::actor(ctx)?.workspace_id))
    }

    /// `content` sealed: `base64url(nonce ‖ ciphertext ‖ tag)`.
    pub fn seal(&self, content: &str) -> String {
        let aad = self.workspace.as_bytes();
        let digest = Sha256::new()
            .chain_update(aad)
            .chain_update(content.as_bytes())
            .finalize();
        let nonce_bytes: [u8; NONCE_LEN] = digest[..NONCE_LEN].try_into().unwrap_or_default();
        let nonce = Nonce::from(nonce_bytes);
        let payload = Payload {
            msg: content.as_bytes(),
            aad,
        };
        // Encryption of a short in-memory message cannot fail; an empty cursor would only
        // be refused when it comes back.
        let sealed = self.key.0.encrypt(&nonce, payload).unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce_bytes);
        bytes.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// What `cursor` holds, if this server sealed it for this workspace and nobody changed it.
    pub fn open(&self, cursor: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce_bytes, sealed) = bytes.split_at(NONCE_LEN);
        let nonce_bytes: [u8; NONCE_LEN] = nonce_bytes.try_into().ok()?;
        let payload = Payload {
            msg: sealed,
            aad: self.workspace.as_bytes(),
        };
        let content = self
            .key
            .0
            .decrypt(&Nonce::from(nonce_bytes), payload)
            .ok()?;
        String::from_utf8(content).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_cursor_opens_only_in_its_workspace_with_its_key() {
        let key = CursorKey::ephemeral();
        let ours = Cursors::new(&key, Uuid::now_v7());
        let cursor = ours.seal("c1:events:position:0190:42");
        // Nothing of the content shows, in the text or in its bytes. (Not "42" alone: two
        // characters turn up by chance in about one random cursor in seventy.)
        let sealed = URL_SAFE_NO_PAD.decode(&cursor).unwrap();
        for part in ["events", "position", "0190:42"] {
            assert!(!cursor.contains(part), "{cursor} shows {part}");
            let bytes = part.as_bytes();
            assert!(!sealed.windows(bytes.len()).any(|w| w == bytes), "{part}");
        }
        assert_eq!(
            ours.open(&cursor).as_deref(),
            Some("c1:events:position:0190:42")
        );
        assert_eq!(
            ours.seal("c1:events:position:0190:42"),
            cursor,
            "deterministic"
        );

        let theirs = Cursors::new(&key, Uuid::now_v7());
        assert_eq!(theirs.open(&cursor), None);
        let other_key = CursorKey::ephemeral();
        assert_eq!(Cursors::new(&other_key, ours.workspace).open(&cursor), None);

        // Any changed byte is refused.
        let mut bytes = URL_SAFE_NO_PAD.decode(&cursor).unwrap();
        for i in 0..bytes.len() {
            bytes[i] ^= 1;
            assert_eq!(ours.open(&URL_SAFE_NO_PAD.encode(&bytes)), None, "byte {i}");
            bytes[i] ^= 1;
        }
        assert_eq!(ours.open(""), None);
        assert_eq!(ours.open("not base64 at all!"), None);
    }

    #[test]
    fn configured_keys_are_64_hex_digits() {
        assert!(CursorKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(CursorKey::from_hex("abcd").is_err());
        assert!(CursorKey::from_hex(&"zz".repeat(32)).is_err());
    }
}
