//! The storage side of a session type's materials: a link or a file for each artifact a
//! version promises (`stint_app::materials` has the rules).

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::SkuId;

/// What is attached to one promised artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    Link {
        url: String,
    },
    File {
        file_name: String,
        content_type: String,
        /// Absent when only the list was read.
        bytes: Option<Vec<u8>>,
        size: i64,
    },
}

/// One artifact's material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    pub position: i64,
    pub title: String,
    pub attachment: Attachment,
    pub added_at: Timestamp,
}

#[async_trait]
pub trait MaterialStore: Send + Sync {
    /// Attaches `attachment` to artifact `position` (titled `title`) of a version, replacing
    /// what was there.
    async fn attach_material(&self, sku: SkuId, version: i64, material: &Material) -> Result<()>;
    /// Removes what artifact `position` of a version has; whether it had anything.
    async fn detach_material(&self, sku: SkuId, version: i64, position: i64) -> Result<bool>;
    /// A version's materials, by position, without file contents.
    async fn materials(&self, sku: SkuId, version: i64) -> Result<Vec<Material>>;
    /// One material with its file's contents.
    async fn material(&self, sku: SkuId, version: i64, position: i64) -> Result<Option<Material>>;
}
