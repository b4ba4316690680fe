// Every limit of the built-in S3, named, with AWS's value where AWS has one (the Amazon S3 User
// Guide: "Bucket naming rules", "Object key naming", "Amazon S3 multipart upload limits",
// "Working with object metadata"), and this server's own bounds where AWS's would not fit a
// server that holds a request body in memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stepwise::services::s3_limits {

// Objects of this size or smaller keep their bytes in a record of their own ("s3.bytes"),
// written in the same batch as the object's record: no file and no fsync of their own, they
// ride the record log's group commit (as an SQS message does). Larger objects, and every part
// of a multipart upload, are files. Only the record's key is held in memory, not the bytes.
inline constexpr std::uint64_t inline_bytes_max = 64 * 1024;
// Threads writing object bytes (FileBlobStore::put_then), and writes queued for them before
// a PUT waits for room (each queued write holds its request body).
inline constexpr std::size_t blob_writer_threads = 8;
inline constexpr std::size_t blob_writes_queued_max = 1'024;
// Bucket names: 3-63 characters of [a-z0-9.-], starting and ending with a letter or digit.
inline constexpr std::size_t bucket_name_min = 3;
inline constexpr std::size_t bucket_name_max = 63;
// Buckets per account (AWS's default quota is 10,000 general purpose buckets).
inline constexpr std::size_t buckets_max = 10'000;
// Object keys: 1-1,024 bytes of UTF-8 (KeyTooLongError above).
inline constexpr std::size_t key_bytes_max = 1'024;
// User-defined metadata: names and values of x-amz-meta-* together (MetadataTooLarge).
inline constexpr std::size_t metadata_bytes_max = 2 * 1024;
// AWS accepts a single PUT up to 5 GiB. This server holds a request body in memory, so a single
// PUT (and an UploadPart) is capped lower by default; `stepwise serve --s3-max-put-bytes`
// changes it. Larger objects go through multipart upload (the CLI and SDKs switch at 8 MiB).
inline constexpr std::uint64_t put_bytes_max_aws = 5ULL * 1024 * 1024 * 1024;
inline constexpr std::uint64_t put_bytes_max_default = 64ULL * 1024 * 1024;
// The largest object (AWS: 5 TiB); this server answers a GET from memory, range by range, so
// a whole object is bounded by what multipart can assemble: 10,000 parts of the PUT cap.
inline constexpr std::uint64_t object_bytes_max = 5ULL * 1024 * 1024 * 1024 * 1024;
// Multipart upload: part numbers 1-10,000; every part but the last at least 5 MiB.
inline constexpr int part_number_min = 1;
inline constexpr int part_number_max = 10'000;
inline constexpr std::uint64_t part_bytes_min = 5ULL * 1024 * 1024;
// Multipart uploads in progress in the whole server (this server's bound; AWS has none).
inline constexpr std::size_t uploads_max = 10'000;
// Listing pages: MaxKeys / max-uploads / max-parts are capped at 1,000 as AWS does.
inline constexpr std::size_t list_keys_max = 1'000;
// DeleteObjects: at most 1,000 keys per request (MalformedXML above, as AWS answers).
inline constexpr std::size_t delete_objects_max = 1'000;
// Request XML documents (DeleteObjects, CompleteMultipartUpload, CreateBucketConfiguration):
// nesting depth and elements (10,000 parts need ~30,000 elements).
inline constexpr std::size_t xml_depth_max = 16;
inline constexpr std::size_t xml_elements_max = 100'000;
// aws-chunked bodies: a chunk-size line (hex size + ";chunk-signature=<64 hex>") and the
// trailer block (x-amz-checksum-*: value lines).
inline constexpr std::size_t chunk_line_bytes_max = 4'096;
inline constexpr std::size_t trailer_bytes_max = 16 * 1024;
// Objects in the whole server (this server's bound: each costs ~300 bytes of memory).
inline constexpr std::size_t objects_max = 10'000'000;

}  // namespace stepwise::services::s3_limits
