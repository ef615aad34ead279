#!/usr/bin/env bash
# Fails if code under src/ outside src/sys/ makes a system call itself instead of going through
# sys::Sys (STYLE.md §7.2, habit 1). The one exception: base/unique_fd.h closes the fd it owns.
#
# Two kinds of match, on code with // comments stripped:
#  - a global-scope call, `::name(` (not `Type::name(`, which is a member of ours);
#  - a bare call of a name only the kernel interface uses (`epoll_ctl(`, `waitpid(`, …), not
#    preceded by `.`, `->` or `::` (calls through a Sys& such as `sys.epoll_ctl(` are the point).
set -euo pipefail
cd "$(dirname "$0")/.."

qualified='open|openat|creat|read|write|pread|pwrite|readv|writev|close|pipe|pipe2|dup|dup2|dup3|fcntl|ioctl'
qualified+='|kill|killpg|fork|vfork|clone|clone3|execve|execv|execvp|execvpe|execl|execlp|execle|fexecve'
qualified+='|wait|waitpid|waitid|wait3|wait4|socket|socketpair|bind|listen|accept|accept4|connect'
qualified+='|getsockopt|setsockopt|send|sendto|sendmsg|recv|recvfrom|recvmsg|shutdown'
qualified+='|unlink|unlinkat|mkdir|mkdirat|rmdir|rename|renameat|chmod|fchmod|chown|fchown|lchown|chdir|fchdir|chroot'
qualified+='|stat|fstat|fstatat|lstat|access|faccessat|readlink|symlink|link|truncate|ftruncate|fsync|sync'
qualified+='|setsid|setpgid|getpgid|setuid|setgid|setresuid|setresgid|setgroups|initgroups|umask|nice|setpriority'
qualified+='|setrlimit|prlimit|prctl|ptrace|getpid|getppid|clock_gettime|gettimeofday|time|sleep|usleep|nanosleep'
qualified+='|poll|ppoll|select|pselect|epoll_create|epoll_create1|epoll_ctl|epoll_wait|epoll_pwait'
qualified+='|signal|sigaction|sigprocmask|pthread_sigmask|raise|signalfd|timerfd_create|timerfd_settime'
qualified+='|inotify_init|inotify_init1|inotify_add_watch|inotify_rm_watch|mmap|munmap|opendir|fdopendir|readdir'
qualified+='|getpwnam|getpwnam_r|getpwuid|getpwuid_r|getgrnam|getgrnam_r|getgrgid|getgrouplist|syscall|system|popen'

bare='epoll_create1?|epoll_ctl|epoll_p?wait|signalfd|timerfd_(create|settime|gettime)|pidfd_(open|send_signal|getfd)'
bare+='|v?fork|clone3?|execv[pe]?|execve|execl[pe]?|fexecve|waitpid|waitid|wait[34]|sigprocmask|pthread_sigmask'
bare+='|inotify_(init1?|add_watch|rm_watch)|prctl|ptrace|syscall|clock_gettime|getpw(nam|uid)(_r)?|getgr(nam|gid)(_r)?'
bare+='|getgrouplist|initgroups|accept4|getsockopt|setsockopt|socketpair|pipe2|dup[23]|popen|setres[ug]id|setgroups'

pattern="((^|[^A-Za-z0-9_])::(${qualified})|(^|[^A-Za-z0-9_.>:])(${bare}))[[:space:]]*\\(|std::system[[:space:]]*\\("

# "file|code" allowed to match, and why.
allowed=(
  "src/base/unique_fd.h|::close(m_fd);" # the RAII owner closes its fd (a destructor has no Sys&)
)

status=0
while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  line=${rest%%:*}
  code=${rest#*:}
  code=${code%%//*} # drop a trailing comment
  if ! grep -qE -- "$pattern" <<<"$code"; then
    continue # the match was inside the comment
  fi
  trimmed=$(sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$code")
  ok=0
  for allow in "${allowed[@]}"; do
    [[ "$file|$trimmed" == "$allow" ]] && ok=1
  done
  if [[ $ok -eq 0 ]]; then
    echo "$file:$line: system call outside src/sys/: $trimmed" >&2
    status=1
  fi
done < <(grep -rnE --include='*.h' --include='*.cpp' --include='*.cc' --include='*.hpp' -- "$pattern" src \
           | grep -v '^src/sys/' || true)

if [[ $status -ne 0 ]]; then
  echo "check-syscalls: take a sys::Sys& and call the kernel through it (see src/sys/sys.h)." >&2
  exit 1
fi
echo "check-syscalls: no system call outside src/sys/"
