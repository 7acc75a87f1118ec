#pragma once
// Reads one staged file's changes on several threads at once, for bulk loads
// that convert values in parallel (the first full load's fresh files).
//
// A JSON-lines file is cut into blocks of whole lines by whichever thread
// needs one next: reading, decompressing and checksumming stay in file order
// under a lock, and each thread decodes its own blocks. CSV and Parquet
// decode on one thread behind the same interface (parallelism() == 1).
#include <cstddef>
#include <memory>
#include <string>

#include "core/change.hpp"
#include "staging/manifest.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

class ParallelChangeReader {
 public:
  class Cursor {
   public:
    virtual ~Cursor() = default;
    // The next change of the file for this cursor (every field overwritten);
    // false once the file has no more. Which cursor gets which change is not
    // defined. Throws kStaging naming the file (and the line) when it is
    // malformed or truncated.
    virtual bool Next(core::Change& change) = 0;
  };
  virtual ~ParallelChangeReader() = default;
  // A cursor for one thread; may be called from any thread.
  virtual std::unique_ptr<Cursor> OpenCursor() = 0;
  // How many cursors can decode at the same time.
  virtual size_t parallelism() const = 0;
  // Once every cursor has returned false: throws kStaging when the file held
  // another number of changes than its manifest says.
  virtual void Finish() = 0;
};

// `stored` is the object as stored (compressed); `where` names it in errors.
// Blocks are about `block_size` bytes of decompressed lines.
std::unique_ptr<ParallelChangeReader> OpenParallelChangeReader(const ManifestFile& file,
                                                               std::unique_ptr<ObjectReader> stored,
                                                               std::string where,
                                                               size_t block_size = size_t{1} << 20);

}  // namespace wharf::staging
