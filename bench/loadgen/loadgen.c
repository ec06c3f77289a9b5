/* Closed-loop echo load generator: C connections each send an S-byte message,
 * wait for the S bytes to come back, and repeat, for D seconds (after a warm-up).
 * Prints one line: requests, seconds, requests/s, p50 and p99 latency in µs.
 * On SIGUSR1 it writes the number of requests completed so far (warm-up
 * included) to stderr, for bench/callgrind-echo.sh to count a window.
 * Usage: loadgen HOST PORT CONNECTIONS SIZE SECONDS [WARMUP_SECONDS] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  size_t sent, received;
  uint64_t started_ns;
} conn_t;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile sig_atomic_t report_requested = 0;

static void on_usr1(int sig) {
  (void)sig;
  report_requested = 1;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SIZE SECONDS [WARMUP]\n", argv[0]);
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]), nconn = atoi(argv[3]);
  size_t size = (size_t)atol(argv[4]);
  double seconds = atof(argv[5]), warmup = argc > 6 ? atof(argv[6]) : 1.0;
  char *out = malloc(size), *in = malloc(size);
  memset(out, 'x', size);
  int ep = epoll_create1(0);
  conn_t *conns = calloc((size_t)nconn, sizeof(conn_t));
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &sa.sin_addr);
  for (int i = 0; i < nconn; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
      perror("connect");
      return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    conns[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  size_t cap = 1 << 20, nlat = 0;
  uint32_t *lat = malloc(cap * sizeof(uint32_t));
  uint64_t t_start = now_ns(), t_measure = t_start + (uint64_t)(warmup * 1e9),
           t_end = t_measure + (uint64_t)(seconds * 1e9);
  uint64_t requests = 0, completed = 0;
  signal(SIGUSR1, on_usr1);
  for (int i = 0; i < nconn; i++) conns[i].started_ns = now_ns();
  struct epoll_event evs[256];
  for (;;) {
    uint64_t t = now_ns();
    if (t >= t_end) break;
    if (report_requested) {
      report_requested = 0;
      fprintf(stderr, "%llu\n", (unsigned long long)completed);
      fflush(stderr);
    }
    int n = epoll_wait(ep, evs, 256, 100);
    for (int k = 0; k < n; k++) {
      conn_t *c = &conns[evs[k].data.u32];
      if ((evs[k].events & EPOLLOUT) && c->sent < size) {
        ssize_t w = send(c->fd, out + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (w > 0) c->sent += (size_t)w;
        else if (w < 0 && errno != EAGAIN) { perror("send"); return 1; }
        if (c->sent == size) {
          struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[k].data.u32};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
      }
      if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          ssize_t r = recv(c->fd, in, size, 0);
          if (r > 0) c->received += (size_t)r;
          else if (r == 0) { fprintf(stderr, "server closed the connection\n"); return 1; }
          else if (errno == EAGAIN) break;
          else { perror("recv"); return 1; }
          if (c->received >= size) break;
        }
        if (c->received >= size) {
          uint64_t done = now_ns();
          completed++;
          if (done >= t_measure && done < t_end) {
            requests++;
            if (nlat == cap) { cap *= 2; lat = realloc(lat, cap * sizeof(uint32_t)); }
            uint64_t us = (done - c->started_ns) / 1000;
            lat[nlat++] = us > 0xffffffffu ? 0xffffffffu : (uint32_t)us;
          }
          c->received -= size;
          c->sent = 0;
          c->started_ns = done;
          ssize_t w = send(c->fd, out, size, MSG_NOSIGNAL);
          if (w > 0) c->sent = (size_t)w;
          struct epoll_event ev = {.events = c->sent < size ? (EPOLLIN | EPOLLOUT) : EPOLLIN, .data.u32 = evs[k].data.u32};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
      }
    }
  }
  qsort(lat, nlat, sizeof(uint32_t), cmp_u32);
  uint32_t p50 = nlat ? lat[nlat / 2] : 0, p99 = nlat ? lat[(size_t)(nlat * 0.99)] : 0;
  printf("%llu %.3f %.1f %u %u\n", (unsigned long long)requests, seconds, (double)requests / seconds, p50, p99);
  return 0;
}
