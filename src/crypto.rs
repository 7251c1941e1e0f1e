//! Encryption of sensitive personal data (PIPL art. 51): AES-256-GCM with a key derived from
//! `WUSHE_DATA_KEY`, which lives outside the database, and HMAC-SHA256 "blind indexes" that let
//! the database enforce uniqueness and answer exact look-ups without holding the value.
//!
//! A sealed value is `version (1 byte) ‖ nonce (12 bytes) ‖ ciphertext+tag`. Every value is bound
//! to where it belongs (e.g. `identity.number:<user id>`) as associated data, so a ciphertext
//! copied to another row or column does not open. The version byte leaves room to rotate the
//! key: a new version is added beside the old one and values are re-sealed in the background.

use crate::config::Secret;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

/// The keys derived from `WUSHE_DATA_KEY`.
#[derive(Clone)]
pub struct DataKey {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

/// A sealed value did not open: wrong key, wrong place, or tampered.
#[derive(Debug, thiserror::Error)]
#[error("an encrypted value could not be decrypted")]
pub struct OpenError;

fn derive(master: &[u8], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("hmac takes any key");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl DataKey {
    /// Derives the encryption and index keys from the configured secret.
    pub fn new(secret: &Secret) -> Self {
        let enc = derive(secret.expose(), b"wushe data encryption v1");
        DataKey {
            cipher: Aes256Gcm::new_from_slice(&enc).expect("32-byte key"),
            index_key: derive(secret.expose(), b"wushe blind index v1"),
        }
    }

    /// Encrypts `plaintext` for the place named by `aad`.
    pub fn seal(&self, aad: &str, plaintext: &[u8]) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce_bytes), Payload { msg: plaintext, aad: aad.as_bytes() })
            .expect("AES-GCM encryption of a bounded value cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        out
    }

    /// Encrypts a string.
    pub fn seal_str(&self, aad: &str, plaintext: &str) -> Vec<u8> {
        self.seal(aad, plaintext.as_bytes())
    }

    /// Decrypts what [`DataKey::seal`] produced for the same `aad`.
    pub fn open(&self, aad: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != VERSION {
            return Err(OpenError);
        }
        let (nonce, body) = sealed[1..].split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| OpenError)?;
        self.cipher.decrypt(&Nonce::from(nonce), Payload { msg: body, aad: aad.as_bytes() }).map_err(|_| OpenError)
    }

    /// Decrypts a string.
    pub fn open_str(&self, aad: &str, sealed: &[u8]) -> Result<String, OpenError> {
        String::from_utf8(self.open(aad, sealed)?).map_err(|_| OpenError)
    }

    /// A keyed hash of `value` within `domain` (e.g. `identity.number`): equal values give equal
    /// indexes, and without the key the index reveals nothing (identity numbers are too few to
    /// hash without a key).
    pub fn blind_index(&self, domain: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key).expect("hmac takes any key");
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> DataKey {
        DataKey::new(&Secret::new(s.as_bytes()))
    }

    #[test]
    fn seals_open_only_in_their_place_with_their_key() {
        let k = key("0123456789abcdef0123456789abcdef");
        let sealed = k.seal_str("identity.number:1", "11010519491231002X");
        assert!(!String::from_utf8_lossy(&sealed).contains("110105"));
        assert_eq!(k.open_str("identity.number:1", &sealed).unwrap(), "11010519491231002X");
        assert!(k.open_str("identity.number:2", &sealed).is_err(), "bound to its place");
        assert!(key("another key of thirty-two characters!").open_str("identity.number:1", &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(k.open("identity.number:1", &tampered).is_err());
        assert_ne!(sealed, k.seal_str("identity.number:1", "11010519491231002X"), "fresh nonce each time");
        assert!(k.open("x", &[1, 2, 3]).is_err());
    }

    #[test]
    fn blind_indexes_are_stable_keyed_and_separated() {
        let a = key("0123456789abcdef0123456789abcdef");
        let b = key("another key of thirty-two characters!");
        assert_eq!(a.blind_index("id", "x"), a.blind_index("id", "x"));
        assert_ne!(a.blind_index("id", "x"), b.blind_index("id", "x"));
        assert_ne!(a.blind_index("id", "x"), a.blind_index("phone", "x"));
    }
}
