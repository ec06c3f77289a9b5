/* Connection set-up load for the memory-per-connection benchmark (bench/idle.ts):
 * opens N connections to HOST:PORT, at most WINDOW being set up at once (so
 * that a listen backlog of 100 never overflows into SYN retries); with SIZE > 0
 * each connection then sends SIZE bytes and waits for them to come back before
 * it counts as set up. All N stay open. Prints "DONE seconds" when the last one
 * is set up, then holds them until stdin closes or says anything, and exits.
 * Usage: conns HOST PORT N SIZE [WINDOW] */
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
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  size_t sent, received;
} conn_t;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s HOST PORT N SIZE [WINDOW]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[2]), n = atoi(argv[3]), window = argc > 5 ? atoi(argv[5]) : 64;
  size_t size = (size_t)atol(argv[4]);
  char *out = malloc(size + 1), *in = malloc(size + 1);
  memset(out, 'x', size);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, argv[1], &sa.sin_addr);
  conn_t *conns = calloc((size_t)n, sizeof(conn_t));
  int ep = epoll_create1(0), started = 0, done = 0, inflight = 0, one = 1;
  struct epoll_event evs[256];
  double t0 = now();
  while (done < n) {
    while (inflight < window && started < n) {
      conn_t *c = &conns[started];
      c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (c->fd < 0) { perror("socket"); return 1; }
      setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) { perror("connect"); return 1; }
      struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)started};
      epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
      started++;
      inflight++;
    }
    int k = epoll_wait(ep, evs, 256, 10000);
    if (k == 0) { fprintf(stderr, "no progress for 10 s (%d of %d set up)\n", done, n); return 1; }
    for (int i = 0; i < k; i++) {
      conn_t *c = &conns[evs[i].data.u32];
      int finished = 0;
      if (evs[i].events & (EPOLLERR | EPOLLHUP)) { fprintf(stderr, "connection failed\n"); return 1; }
      if (evs[i].events & EPOLLOUT) {
        while (c->sent < size) {
          ssize_t w = send(c->fd, out + c->sent, size - c->sent, MSG_NOSIGNAL);
          if (w > 0) c->sent += (size_t)w;
          else if (errno == EAGAIN) break;
          else { perror("send"); return 1; }
        }
        if (size == 0) finished = 1;
        else if (c->sent == size) {
          struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[i].data.u32};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
      }
      if (evs[i].events & EPOLLIN) {
        for (;;) {
          ssize_t r = recv(c->fd, in, size + 1, 0);
          if (r > 0) c->received += (size_t)r;
          else if (r == 0) { fprintf(stderr, "server closed a connection\n"); return 1; }
          else if (errno == EAGAIN) break;
          else { perror("recv"); return 1; }
        }
        if (c->received >= size) finished = 1;
      }
      if (finished) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        done++;
        inflight--;
      }
    }
  }
  printf("DONE %.4f\n", now() - t0);
  fflush(stdout);
  char c;
  (void)!read(0, &c, 1);
  return 0;
}
