//! Passwords, tokens and the signed-in user of a request.
//!
//! Passwords are hashed with Argon2id. A token is 32 random bytes in
//! base64url; the database keeps only its SHA-256, so a copy of the database
//! holds no usable token. Logout marks the token revoked.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{ApiError, ServerError};
use crate::AppState;

/// The four roles an account can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Teacher,
    Student,
    Parent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Teacher => "teacher",
            Role::Student => "student",
            Role::Parent => "parent",
        }
    }

    pub fn parse(text: &str) -> Result<Role, ServerError> {
        match text {
            "admin" => Ok(Role::Admin),
            "teacher" => Ok(Role::Teacher),
            "student" => Ok(Role::Student),
            "parent" => Ok(Role::Parent),
            other => Err(ServerError::Invalid(format!(
                "unknown role `{other}`; use admin, teacher, student or parent"
            ))),
        }
    }
}

pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServerError::Hash(e.to_string()))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A new opaque token: 32 random bytes, base64url without padding.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a secret in hex: what the database stores for tokens and link codes.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random id: 16 bytes in hex.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A link code a school hands to a parent: ten characters, no look-alikes.
pub fn new_link_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 10];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The signed-in user of a request; extracting it fails with 401 without a live token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub school_id: String,
    pub role: Role,
    pub name: String,
    pub token_hash: String,
}

impl AuthUser {
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs a {} account; you are signed in as a {}",
                role.as_str(),
                self.role.as_str()
            )))
        }
    }
}

impl FromRequestParts<Arc<AppState>> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthenticated)?;
        let hash = secret_hash(token);
        let row = sqlx::query(
            "SELECT u.id, u.school_id, u.role, u.display_name FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.hash = $1 AND t.revoked_ms IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
        let role: String = row.try_get("role")?;
        Ok(AuthUser {
            id: row.try_get("id")?,
            school_id: row.try_get("school_id")?,
            role: Role::parse(&role)?,
            name: row.try_get("display_name")?,
            token_hash: hash,
        })
    }
}
