//! Administration commands run on the server machine against the database:
//! schools, accounts, classes, enrolments and parent link codes. Each returns
//! a JSON value for scripts.

use serde_json::{json, Value};
use sqlx::Row;

use crate::auth::{self, Role};
use crate::db::{now_ms, Db};
use crate::error::ServerError;

pub async fn create_school(db: &Db, name: &str) -> Result<Value, ServerError> {
    if name.trim().is_empty() {
        return Err(ServerError::Invalid(
            "give the school a name with --name".into(),
        ));
    }
    let id = auth::random_id();
    sqlx::query("INSERT INTO schools (id, name, created_ms) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    Ok(json!({ "school_id": id, "name": name }))
}

pub struct NewUser<'a> {
    pub school_id: &'a str,
    pub role: Role,
    pub username: &'a str,
    pub name: &'a str,
    pub password: &'a str,
}

pub async fn add_user(db: &Db, user: NewUser<'_>) -> Result<Value, ServerError> {
    school_exists(db, user.school_id).await?;
    if user.username.is_empty() || user.username.len() > 100 {
        return Err(ServerError::Invalid(
            "a user name has 1 to 100 characters".into(),
        ));
    }
    if user.password.len() < 8 {
        return Err(ServerError::Invalid(
            "a password has at least 8 characters".into(),
        ));
    }
    let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(user.username)
        .fetch_optional(&db.pool)
        .await?;
    if taken.is_some() {
        return Err(ServerError::Invalid(format!(
            "the user name `{}` is taken; choose another",
            user.username
        )));
    }
    let id = auth::random_id();
    let hash = auth::hash_password(user.password)?;
    sqlx::query(
        "INSERT INTO users (id, school_id, role, username, display_name, password_hash, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user.school_id)
    .bind(user.role.as_str())
    .bind(user.username)
    .bind(user.name)
    .bind(hash)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(
        json!({ "user_id": id, "username": user.username, "role": user.role.as_str(), "school_id": user.school_id }),
    )
}

pub async fn add_class(
    db: &Db,
    school_id: &str,
    name: &str,
    teacher_id: &str,
) -> Result<Value, ServerError> {
    school_exists(db, school_id).await?;
    user_with_role(db, teacher_id, Role::Teacher, school_id).await?;
    let id = auth::random_id();
    sqlx::query("INSERT INTO classes (id, school_id, name, teacher_id) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(school_id)
        .bind(name)
        .bind(teacher_id)
        .execute(&db.pool)
        .await?;
    Ok(json!({ "class_id": id, "name": name, "teacher_id": teacher_id }))
}

pub async fn enrol(db: &Db, class_id: &str, student_id: &str) -> Result<Value, ServerError> {
    let school: String = sqlx::query("SELECT school_id FROM classes WHERE id = $1")
        .bind(class_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| {
            ServerError::Invalid(format!(
                "no class `{class_id}`; `class add` prints class ids"
            ))
        })?
        .try_get("school_id")?;
    user_with_role(db, student_id, Role::Student, &school).await?;
    sqlx::query(
        "INSERT INTO enrolments (class_id, student_id) VALUES ($1, $2) ON CONFLICT (class_id, student_id) DO NOTHING",
    )
    .bind(class_id)
    .bind(student_id)
    .execute(&db.pool)
    .await?;
    Ok(json!({ "class_id": class_id, "student_id": student_id }))
}

/// A one-use code that links a parent account to `student_id`.
pub async fn link_code(db: &Db, student_id: &str) -> Result<Value, ServerError> {
    let school: String = sqlx::query("SELECT school_id FROM users WHERE id = $1")
        .bind(student_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| ServerError::Invalid(format!("no user `{student_id}`")))?
        .try_get("school_id")?;
    user_with_role(db, student_id, Role::Student, &school).await?;
    let code = auth::new_link_code();
    sqlx::query("INSERT INTO link_codes (code_hash, student_id, created_ms) VALUES ($1, $2, $3)")
        .bind(auth::secret_hash(&code))
        .bind(student_id)
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    Ok(json!({ "code": code, "student_id": student_id }))
}

async fn school_exists(db: &Db, id: &str) -> Result<(), ServerError> {
    let found = sqlx::query("SELECT id FROM schools WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(ServerError::Invalid(format!(
            "no school `{id}`; `school create` prints school ids"
        ))),
    }
}

async fn user_with_role(db: &Db, id: &str, role: Role, school_id: &str) -> Result<(), ServerError> {
    let row = sqlx::query("SELECT role, school_id FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| {
            ServerError::Invalid(format!("no user `{id}`; `user add` prints user ids"))
        })?;
    let actual: String = row.try_get("role")?;
    let school: String = row.try_get("school_id")?;
    if actual != role.as_str() {
        return Err(ServerError::Invalid(format!(
            "user `{id}` is a {actual}, not a {}",
            role.as_str()
        )));
    }
    if school != school_id {
        return Err(ServerError::Invalid(format!(
            "user `{id}` belongs to another school"
        )));
    }
    Ok(())
}
