/* The ceiling for the echo benchmark: a minimal epoll echo server in C.
 * One thread, non-blocking sockets, level-triggered epoll, one recv() and one
 * send() per readable event from a single fixed buffer, nothing allocated per
 * request. A send the kernel takes only in part keeps its remainder in the
 * connection's own buffer (allocated once, on the first partial send) and
 * reading that connection stops until it is flushed, as a transport's flow
 * control would. No event loop can do less work per request on this path, so
 * its requests/s is what the machine allows (bench/echo.ts divides by it).
 * Usage: c-echo PORT  -> prints "READY port" (PORT 0 picks a free port). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

typedef struct {
  char *pending; /* the unsent tail of the last message, or NULL */
  size_t off, len;
} conn_t;

static char buf[BUF_SIZE];
static conn_t *conns;
static size_t nconns;

static conn_t *conn_of(int fd) {
  if ((size_t)fd >= nconns) {
    size_t n = nconns ? nconns : 1024;
    while (n <= (size_t)fd) n *= 2;
    conns = realloc(conns, n * sizeof(conn_t));
    memset(conns + nconns, 0, (n - nconns) * sizeof(conn_t));
    nconns = n;
  }
  return &conns[fd];
}

static void drop(int ep, int fd) {
  conn_t *c = conn_of(fd);
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(c->pending);
  memset(c, 0, sizeof *c);
}

static void watch(int ep, int fd, int op, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  epoll_ctl(ep, op, fd, &ev);
}

/* Sends what is pending; returns -1 on error, 0 when some is still pending, 1 when flushed. */
static int flush(int fd, conn_t *c) {
  while (c->off < c->len) {
    ssize_t w = send(fd, c->pending + c->off, c->len - c->off, MSG_NOSIGNAL);
    if (w > 0) c->off += (size_t)w;
    else if (errno == EAGAIN) return 0;
    else if (errno != EINTR) return -1;
  }
  c->off = c->len = 0;
  return 1;
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  socklen_t sl = sizeof sa;
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 1024) != 0 ||
      getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
    perror("listen");
    return 1;
  }
  printf("READY %d\n", ntohs(sa.sin_port));
  fflush(stdout);
  int ep = epoll_create1(0);
  watch(ep, lfd, EPOLL_CTL_ADD, EPOLLIN);
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int k = 0; k < n; k++) {
      int fd = evs[k].data.fd;
      if (fd == lfd) {
        int cfd;
        while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          watch(ep, cfd, EPOLL_CTL_ADD, EPOLLIN);
        }
        continue;
      }
      conn_t *c = conn_of(fd);
      if (c->len > 0) {
        /* Writable again: finish the message, then read again. */
        int r = flush(fd, c);
        if (r < 0) drop(ep, fd);
        else if (r > 0) watch(ep, fd, EPOLL_CTL_MOD, EPOLLIN);
        continue;
      }
      ssize_t r = recv(fd, buf, BUF_SIZE, 0);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        drop(ep, fd);
        continue;
      }
      if (r < 0) continue;
      ssize_t w = send(fd, buf, (size_t)r, MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN) {
        drop(ep, fd);
        continue;
      }
      if (w < 0) w = 0;
      if (w < r) {
        if (c->pending == NULL) c->pending = malloc(BUF_SIZE);
        memcpy(c->pending, buf + w, (size_t)(r - w));
        c->off = 0;
        c->len = (size_t)(r - w);
        watch(ep, fd, EPOLL_CTL_MOD, EPOLLOUT);
      }
    }
  }
}
