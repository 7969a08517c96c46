#pragma once

// Deletion vectors (PROTOCOL.md "Deletion Vectors", "Deletion Vector Format"): Z85, the
// 64-bit portable RoaringBitmap format with Delta's magic number, and the on-disk DV file.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

/// Decodes Z85 (ZeroMQ Base85); the length must be a multiple of 5.
Result<std::string> Z85Decode(std::string_view text);
/// Encodes bytes as Z85; the length must be a multiple of 4.
Result<std::string> Z85Encode(std::string_view bytes);

/// Decodes a "RoaringBitmapArray" (magic number + 64-bit portable Roaring) into sorted row indexes.
Result<std::vector<uint64_t>> DecodeRoaringBitmapArray(std::string_view bytes);
/// Encodes sorted unique row indexes in the same format (array/bitmap containers, no runs).
std::string EncodeRoaringBitmapArray(const std::vector<uint64_t>& rows);

/// The relative path of a 'u' DV file: "<prefix>/deletion_vector_<uuid>.bin".
Result<std::string> DeletionVectorRelativePath(const DeletionVectorDescriptor& dv);

/// Writes `vectors` (each the sorted unique deleted rows of one data file) into one new DV file
/// at the table root, and returns their descriptors in order (storage type 'u').
Result<std::vector<DeletionVectorDescriptor>> WriteDeletionVectors(
    Storage& storage, const std::vector<std::vector<uint64_t>>& vectors);

/// Loads the deleted row indexes of a descriptor (inline, relative or absolute file; the file's
/// CRC-32 is checked). Errors name the DV and the file.
Result<std::vector<uint64_t>> LoadDeletionVector(Storage& storage,
                                                 const DeletionVectorDescriptor& dv);

}  // namespace anatomy::delta
