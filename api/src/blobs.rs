//! The document store: content-addressed blobs in an `object_store` (a local directory by default). A blob's name
//! is its SHA-256, so identical content is stored once and a stored blob never changes.
//!
//! Uploads are streamed to a temporary file beside the store while they are hashed and measured, then copied into
//! the store in chunks: no upload is ever held in memory whole, and nothing is registered until all of it arrived.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as StorePath;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::config::Settings;
use crate::error::ApiError;

/// Chunk size of the copy into the store (S3 wants parts of at least 5 MiB).
const CHUNK: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// Where uploads wait while they arrive.
    incoming: PathBuf,
}

impl BlobStore {
    /// The store the settings name: an S3-compatible bucket when `s3_bucket` is set, else the local directory.
    pub fn from_settings(settings: &Settings) -> Result<BlobStore, String> {
        match settings.s3_bucket.as_deref().filter(|b| !b.trim().is_empty()) {
            Some(bucket) => {
                let incoming = settings.data_dir.join("incoming");
                std::fs::create_dir_all(&incoming).map_err(|e| format!("cannot create {}: {e}", incoming.display()))?;
                let mut builder = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region(settings.s3_region.clone().unwrap_or_else(|| "us-east-1".into()));
                if let Some(endpoint) = &settings.s3_endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                let store = builder.build().map_err(|e| format!("S3 bucket {bucket}: {e}"))?;
                Ok(BlobStore { store: Arc::new(store), incoming })
            }
            None => BlobStore::local(&settings.blob_dir()),
        }
    }

    /// A store in a local directory (created when missing).
    pub fn local(dir: &Path) -> Result<BlobStore, String> {
        let incoming = dir.join(".incoming");
        std::fs::create_dir_all(&incoming).map_err(|e| format!("cannot create {}: {e}", incoming.display()))?;
        let store = LocalFileSystem::new_with_prefix(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(BlobStore { store: Arc::new(store), incoming })
    }

    /// A store in memory (the OpenAPI document's build; tests).
    pub fn memory(incoming: PathBuf) -> BlobStore {
        BlobStore { store: Arc::new(InMemory::new()), incoming }
    }

    pub fn incoming_dir(&self) -> &Path {
        &self.incoming
    }

    fn location(sha256: &str) -> StorePath {
        let (a, b) = (&sha256[..2.min(sha256.len())], &sha256[2.min(sha256.len())..4.min(sha256.len())]);
        StorePath::from(format!("sha256/{a}/{b}/{sha256}"))
    }

    /// Whether a blob is stored.
    pub async fn contains(&self, sha256: &str) -> Result<bool, ApiError> {
        match self.store.head(&Self::location(sha256)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(ApiError::unavailable(e)),
        }
    }

    /// Copy a fully received upload into the store under its hash, unless that content is already there.
    pub async fn store_file(&self, sha256: &str, file: &Path) -> Result<(), ApiError> {
        if self.contains(sha256).await? {
            return Ok(());
        }
        let upload = self.store.put_multipart(&Self::location(sha256)).await.map_err(ApiError::unavailable)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, CHUNK);
        let mut source = tokio::fs::File::open(file).await.map_err(ApiError::internal)?;
        let mut buf = vec![0_u8; 1024 * 1024];
        loop {
            let n = source.read(&mut buf).await.map_err(ApiError::internal)?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(2).await.map_err(ApiError::unavailable)?;
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(ApiError::unavailable)?;
        Ok(())
    }

    /// The bytes of a blob, or of a range of it, as a stream.
    pub async fn read(
        &self,
        sha256: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, std::io::Error>>, ApiError> {
        let options = GetOptions { range: range.map(GetRange::Bounded), ..Default::default() };
        let result = self.store.get_opts(&Self::location(sha256), options).await.map_err(ApiError::unavailable)?;
        Ok(result.into_stream().map(|chunk| chunk.map_err(std::io::Error::other)).boxed())
    }

    /// The whole content of a blob when it has at most `max` bytes (`None` when larger).
    pub async fn read_capped(&self, sha256: &str, max: usize) -> Result<Option<Vec<u8>>, ApiError> {
        let mut stream = self.read(sha256, None).await?;
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(ApiError::unavailable)?;
            if bytes.len() + chunk.len() > max {
                return Ok(None);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }

    /// Hash a stored blob again (a download with `verify=true`).
    pub async fn checksum(&self, sha256: &str) -> Result<String, ApiError> {
        let mut stream = self.read(sha256, None).await?;
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.next().await {
            hasher.update(chunk.map_err(ApiError::unavailable)?);
        }
        Ok(hex::encode(hasher.finalize()))
    }
}
