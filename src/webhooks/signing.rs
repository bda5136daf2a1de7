//! Signing secrets and Standard Webhooks signatures. A secret is `whsec_` and the base64 of 24
//! random bytes, shown once; it is kept encrypted (it must stay usable for signing, so a hash
//! would not do) with AES-256-GCM-SIV under the server key `webhook_secrets`, which every
//! instance on the database shares. The endpoint's id is the associated data, so a secret
//! copied onto another endpoint's row does not decrypt.

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::error::AppError;

const PREFIX: &str = "whsec_";
const NONCE_LEN: usize = 12;
const SERVER_KEY: &str = "webhook_secrets";

/// A signing secret's raw bytes.
#[derive(Clone)]
pub struct SigningSecret(pub Vec<u8>);

impl SigningSecret {
    pub fn generate() -> SigningSecret {
        let bytes: [u8; 24] = rand::random();
        SigningSecret(bytes.to_vec())
    }

    /// The form shown to the user once: `whsec_<base64>`.
    pub fn reveal(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }
}

/// Encrypts and decrypts endpoint secrets.
#[derive(Clone)]
pub struct SecretBox(Aes256GcmSiv);

impl SecretBox {
    pub fn new(key: &[u8; 32]) -> SecretBox {
        SecretBox(Aes256GcmSiv::new(key.into()))
    }

    /// The database's shared key (made by the first instance that asks).
    pub async fn load(conn: &mut AsyncPgConnection) -> Result<SecretBox, AppError> {
        let key = crate::db::server_keys::get_or_create(conn, SERVER_KEY)
            .await
            .map_err(AppError::internal)?;
        Ok(SecretBox::new(&key))
    }

    pub fn seal(&self, endpoint_id: Uuid, secret: &SigningSecret) -> Result<Vec<u8>, AppError> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let payload = Payload {
            msg: &secret.0,
            aad: endpoint_id.as_bytes(),
        };
        let sealed = self
            .0
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| AppError::internal("cannot encrypt a webhook secret"))?;
        Ok([&nonce[..], &sealed].concat())
    }

    pub fn open(&self, endpoint_id: Uuid, sealed: &[u8]) -> Result<SigningSecret, AppError> {
        if sealed.len() < NONCE_LEN {
            return Err(AppError::internal("a stored webhook secret is truncated"));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| AppError::internal("a stored webhook secret is truncated"))?;
        let payload = Payload {
            msg: ciphertext,
            aad: endpoint_id.as_bytes(),
        };
        self.0
            .decrypt(&Nonce::from(nonce), payload)
            .map(SigningSecret)
            .map_err(|_| AppError::internal("a stored webhook secret does not decrypt"))
    }
}

/// The `webhook-signature` header: one `v1,<base64>` per active secret, space-separated
/// (two while a rotated-out secret is still signing). Signed by the spec's reference library.
pub fn signature_header(
    secrets: &[SigningSecret],
    message_id: &str,
    timestamp: i64,
    body: &str,
) -> Result<String, AppError> {
    let mut signatures = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let signer = standardwebhooks::Webhook::from_bytes(secret.0.clone())
            .map_err(|e| AppError::internal(format!("webhook signer: {e}")))?;
        let signature = signer
            .sign(message_id, timestamp, body.as_bytes())
            .map_err(|e| AppError::internal(format!("webhook signature: {e}")))?;
        signatures.push(signature);
    }
    Ok(signatures.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector published with the Standard Webhooks specification.
    #[test]
    fn signs_the_specifications_test_vector() {
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let header = signature_header(
            &[SigningSecret(secret)],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn two_secrets_give_two_signatures() {
        let secrets = [SigningSecret::generate(), SigningSecret::generate()];
        let header = signature_header(&secrets, "id", 1, "{}").unwrap();
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.split(' ').all(|s| s.starts_with("v1,")));
    }

    #[test]
    fn sealed_secrets_open_only_for_their_endpoint() {
        let sealer = SecretBox::new(&[7; 32]);
        let secret = SigningSecret::generate();
        let (id, other) = (Uuid::now_v7(), Uuid::now_v7());
        let sealed = sealer.seal(id, &secret).unwrap();
        assert_eq!(sealer.open(id, &sealed).unwrap().0, secret.0);
        assert!(sealer.open(other, &sealed).is_err());
        assert!(secret.reveal().starts_with("whsec_"));
    }
}
