/* The textbook's ordinary pipe (Silberschatz, Fig. 3.2x; lecture 3.5): the
 * parent writes "Greeting" into fd[1], the child reads it from fd[0]. Each
 * side first closes the end it does not use. */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUFFER_SIZE 25
#define READ_END 0
#define WRITE_END 1

int main(void) {
  char write_msg[BUFFER_SIZE] = "Greeting";
  char read_msg[BUFFER_SIZE];
  int fd[2];

  if (pipe(fd) == -1) {
    perror("pipe");
    return 1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid > 0) { /* parent */
    close(fd[READ_END]);
    write(fd[WRITE_END], write_msg, strlen(write_msg) + 1);
    close(fd[WRITE_END]);
    wait(NULL);
  } else { /* child */
    close(fd[WRITE_END]);
    ssize_t n = read(fd[READ_END], read_msg, BUFFER_SIZE);
    if (n > 0) printf("read %s\n", read_msg);
    close(fd[READ_END]);
  }
  return 0;
}
