#include "staging/local_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace wharf::staging {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void FailIo(const std::string& what, const fs::path& path, int err) {
  std::string hint;
  if (err == ENOSPC || err == EDQUOT) {
    hint = "\n  the disk holding the staging directory is full: free space or point staging.url "
           "elsewhere; nothing was lost, wharf will retry this batch after a restart";
  } else if (err == EACCES || err == EPERM || err == EROFS) {
    hint = "\n  wharf cannot write there: fix the directory's permissions or change staging.url";
  }
  Fail(ErrorKind::kStaging, "{} {}: {}{}", what, path.string(), std::strerror(err), hint);
}

void FsyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) FailIo("cannot open directory", dir, errno);
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    FailIo("cannot fsync directory", dir, e);
  }
  ::close(fd);
}

// Creates `dir` and any missing parents, fsyncing the parent of each one it
// creates: a file renamed into a new date directory is durable only once that
// directory's own entry is (a power loss could otherwise drop the directory,
// and with it a batch whose manifest survived).
void CreateDirectoriesDurably(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (dir.has_parent_path() && dir.parent_path() != dir) CreateDirectoriesDurably(dir.parent_path());
  if (!fs::create_directory(dir, ec) && ec) FailIo("cannot create directory", dir, ec.value());
  FsyncDir(dir.parent_path());
}

class LocalWriter : public ObjectWriter {
 public:
  explicit LocalWriter(fs::path final_path) : final_(std::move(final_path)) {
    static std::atomic<uint64_t> counter{0};
    tmp_ = final_;
    tmp_ += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    CreateDirectoriesDurably(final_.parent_path());
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) FailIo("cannot create", tmp_, errno);
  }
  ~LocalWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
      std::error_code ec;
      fs::remove(tmp_, ec);
    }
  }
  void Write(std::string_view bytes) override {
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        FailIo("cannot write", tmp_, errno);
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  void Commit() override {
    if (::fsync(fd_) != 0) FailIo("cannot fsync", tmp_, errno);
    if (::close(fd_) != 0) {
      fd_ = -1;
      FailIo("cannot close", tmp_, errno);
    }
    fd_ = -1;
    if (::rename(tmp_.c_str(), final_.c_str()) != 0) FailIo("cannot rename into", final_, errno);
    committed_ = true;
    FsyncDir(final_.parent_path());
  }

 private:
  fs::path final_;
  fs::path tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

class LocalReader : public ObjectReader {
 public:
  explicit LocalReader(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) FailIo("cannot open staged file", path_, errno);
  }
  ~LocalReader() override { ::close(fd_); }
  LocalReader(const LocalReader&) = delete;
  LocalReader& operator=(const LocalReader&) = delete;

  size_t Read(char* buf, size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) FailIo("cannot read", path_, errno);
    }
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

class LocalLease : public Lease {
 public:
  explicit LocalLease(int fd) : fd_(fd) {}
  ~LocalLease() override { ::close(fd_); }  // closing the descriptor drops the flock
  LocalLease(const LocalLease&) = delete;
  LocalLease& operator=(const LocalLease&) = delete;
  bool Lost() const override { return false; }  // nobody can take an flock from its holder

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<Lease> LocalStore::TakeLease(const std::string& path, const LeaseRecord& me) {
  fs::path file = root_ / path;
  CreateDirectoriesDurably(file.parent_path());
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) FailIo("cannot open lease file", file, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    if (e != EWOULDBLOCK) {
      ::close(fd);
      FailIo("cannot lock", file, e);
    }
    std::string text(4096, '\0');
    ssize_t n = ::pread(fd, text.data(), text.size(), 0);
    ::close(fd);
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    auto holder = LeaseRecord::Parse(text);
    Fail(ErrorKind::kBusy, "{}", LeaseHeldMessage(file.string(), me.role,
                                                  holder ? holder->Describe() : "a process that has not written its name yet"));
  }
  // The file is ours: say who holds it, for the next process that asks.
  std::string text = me.ToJson() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    int e = errno;
    ::close(fd);
    FailIo("cannot write lease file", file, e);
  }
  return std::make_unique<LocalLease>(fd);
}

LocalStore::LocalStore(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) FailIo("cannot create staging directory", root_, ec.value());
}

std::unique_ptr<ObjectWriter> LocalStore::OpenWriter(const std::string& path) {
  return std::make_unique<LocalWriter>(root_ / path);
}

std::unique_ptr<ObjectReader> LocalStore::OpenReader(const std::string& path) {
  return std::make_unique<LocalReader>(root_ / path);
}

std::string LocalStore::Read(const std::string& path) {
  LocalReader reader(root_ / path);
  std::string out;
  char buf[1 << 16];
  while (size_t n = reader.Read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

bool LocalStore::Exists(const std::string& path) { return fs::exists(root_ / path); }

std::vector<std::string> LocalStore::List(const std::string& prefix) {
  std::vector<std::string> out;
  fs::path dir = root_ / prefix;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    // A writer renames its temporary file into place at any moment: such a
    // file is not an object yet, and may vanish while we look at it, so no
    // call here may touch the file system (fs::relative would canonicalise).
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec) || type_ec) continue;
    if (it->path().filename().string().find(".tmp-") != std::string::npos) continue;
    out.push_back(it->path().lexically_relative(root_).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void LocalStore::Remove(const std::string& path) {
  std::error_code ec;
  fs::remove(root_ / path, ec);
}

}  // namespace wharf::staging
