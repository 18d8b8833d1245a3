// The course's terms, Korean beside English, as the lecture and the chapters
// use them: the site's glossary page (pages/glossary.ts) is made from this.
// `chapter` is the number of the chapter that teaches the term, if one does.

export interface Term {
  en: string;
  ko: string;
  /** One sentence, in the chapters' words. */
  means: string;
  chapter?: number;
}

export const GLOSSARY: Term[] = [
  {
    en: "inter-process communication (IPC)",
    ko: "프로세스 간 통신",
    chapter: 0,
    means:
      "Every mechanism the operating system provides for processes, which have separate address spaces, to exchange data and coordinate.",
  },
  {
    en: "process",
    ko: "프로세스",
    chapter: 0,
    means: "A program in execution, with its own address space, descriptors and pid.",
  },
  {
    en: "address space",
    ko: "주소 공간",
    chapter: 0,
    means: "The memory a process can reach; the kernel keeps each process's apart.",
  },
  {
    en: "kernel",
    ko: "커널",
    chapter: 0,
    means:
      "The operating system's core, which every system call enters; not Jupyter's kernel, which the course calls the notebook process.",
  },
  {
    en: "notebook process",
    ko: "노트북 프로세스",
    chapter: 0,
    means: "The Node.js process (Jupyter's 'kernel', tslab) that runs a notebook's cells.",
  },
  {
    en: "system call",
    ko: "시스템 콜",
    chapter: 0,
    means: "A request from a process to the kernel, such as pipe, fork or shm_open.",
  },
  {
    en: "POSIX (Portable Operating System Interface)",
    ko: "POSIX 표준",
    chapter: 0,
    means:
      "The IEEE standard interface of Unix-like systems, made so that programs are portable between them.",
  },
  {
    en: "information sharing",
    ko: "정보 공유",
    chapter: 0,
    means: "A reason for IPC: several processes use the same data.",
  },
  {
    en: "computation speed-up",
    ko: "계산 속도 향상",
    chapter: 0,
    means: "A reason for IPC: a job split into parts that run at once.",
  },
  {
    en: "modularity",
    ko: "모듈성",
    chapter: 0,
    means: "A reason for IPC: a system built from small cooperating programs.",
  },
  {
    en: "convenience",
    ko: "편의성",
    chapter: 0,
    means: "A reason for IPC: several tasks at once for one user.",
  },
  {
    en: "shared-memory model",
    ko: "공유 메모리 모델",
    chapter: 0,
    means: "IPC where processes read and write one region of memory; the kernel only sets it up.",
  },
  {
    en: "message-passing model",
    ko: "메시지 패싱 모델",
    chapter: 0,
    means: "IPC where the kernel copies each message from sender to receiver (send, receive).",
  },
  {
    en: "direct communication",
    ko: "직접 통신",
    chapter: 0,
    means: "Message passing in which each process names its partner; one link per pair.",
  },
  {
    en: "indirect communication",
    ko: "간접 통신",
    chapter: 0,
    means: "Message passing through a mailbox (port) that several processes may share.",
  },
  {
    en: "mailbox, port",
    ko: "메일박스, 포트",
    chapter: 0,
    means: "The object messages are sent to and received from in indirect communication.",
  },
  {
    en: "fork",
    ko: "포크",
    chapter: 0,
    means: "The system call that creates a child process as a copy of its parent.",
  },
  {
    en: "zombie process",
    ko: "좀비 프로세스",
    chapter: 0,
    means:
      "A child that has ended but that its parent has not yet waited for: it runs nothing, but the kernel keeps its pid and exit status until waitpid.",
  },
  {
    en: "shared memory",
    ko: "공유 메모리",
    chapter: 1,
    means: "One region of physical memory mapped into several processes' address spaces.",
  },
  {
    en: "memory-mapped file",
    ko: "메모리 맵 파일",
    chapter: 7,
    means: "A file (or shared-memory object) whose pages mmap makes part of a process's memory.",
  },
  {
    en: "producer, consumer",
    ko: "생산자, 소비자",
    chapter: 1,
    means: "The process that writes data and the process that reads it.",
  },
  {
    en: "kernel persistence",
    ko: "커널 지속성",
    chapter: 1,
    means:
      "An object lasts until it is removed or the machine reboots, not until its creator exits.",
  },
  {
    en: "byte order (endianness)",
    ko: "바이트 순서",
    chapter: 1,
    means: "The order in which the bytes of a multi-byte number are stored: little- or big-endian.",
  },
  {
    en: "synchronisation",
    ko: "동기화",
    chapter: 1,
    means: "Ordering the accesses of cooperating processes so that none sees half-done work.",
  },
  {
    en: "race condition",
    ko: "경쟁 조건",
    chapter: 1,
    means: "A result that depends on how the steps of two processes happen to interleave.",
  },
  {
    en: "semaphore",
    ko: "세마포어",
    chapter: 6,
    means: "A kernel counter that processes wait on and signal, to protect shared data.",
  },
  {
    en: "segmentation fault",
    ko: "세그멘테이션 폴트",
    chapter: 1,
    means:
      "SIGSEGV: the kernel's signal for an access to memory the process has not mapped (or may not write).",
  },
  {
    en: "System V IPC key, integer key",
    ko: "System V 키",
    chapter: 1,
    means: "The 32-bit integer (key_t) that names a System V object, often made by ftok.",
  },
  {
    en: "ordinary pipe, anonymous pipe",
    ko: "오디너리 파이프, 익명 파이프",
    chapter: 2,
    means: "A one-way byte channel with no name, shared by inheriting its descriptors across fork.",
  },
  {
    en: "file descriptor",
    ko: "파일 디스크립터",
    chapter: 2,
    means: "A small integer that names an open file, pipe end or socket in a process.",
  },
  {
    en: "read end, write end",
    ko: "읽기 엔드, 쓰기 엔드",
    chapter: 2,
    means: "fd[0] and fd[1] of a pipe: bytes written into fd[1] come out of fd[0].",
  },
  {
    en: "one-way, simplex",
    ko: "단방향",
    chapter: 2,
    means: "Data flows in one direction only, as in one pipe.",
  },
  {
    en: "half duplex",
    ko: "반이중",
    chapter: 2,
    means: "Both directions, but one at a time (a walkie-talkie).",
  },
  {
    en: "full duplex",
    ko: "전이중",
    chapter: 2,
    means: "Both directions at the same time (two pipes, a socket).",
  },
  {
    en: "two-way communication",
    ko: "양방향 통신",
    chapter: 2,
    means: "Each side both sends and receives.",
  },
  {
    en: "end of file (EOF)",
    ko: "파일의 끝",
    chapter: 2,
    means: "What read returns (0 bytes) once no write end of a pipe is open anywhere.",
  },
  {
    en: "close-on-exec",
    ko: "close-on-exec",
    chapter: 2,
    means: "A descriptor flag (FD_CLOEXEC) that closes the descriptor at execve; fork ignores it.",
  },
  {
    en: "signal",
    ko: "시그널",
    chapter: 4,
    means:
      "An asynchronous notice to a process (SIGPIPE, SIGSEGV, ...), handled by a default action or a handler.",
  },
  {
    en: "core dump",
    ko: "코어 덤프",
    chapter: 4,
    means:
      "A default signal action: terminate and write the process's memory to a core file (up to RLIMIT_CORE).",
  },
  {
    en: "named pipe (FIFO)",
    ko: "네임드 파이프, 명명된 파이프",
    chapter: 3,
    means:
      "A pipe with a name in the file system (a special file, type p, made by mkfifo), usable by processes with no relation to each other; it holds no data on disk.",
  },
  {
    en: "unrelated processes",
    ko: "전혀 모르는 상태의 프로세스들",
    chapter: 3,
    means:
      "Processes not forked from one another and sharing no inherited descriptor, which can meet only through a name.",
  },
  {
    en: "PIPE_BUF atomicity",
    ko: "PIPE_BUF",
    chapter: 3,
    means:
      "A write of at most PIPE_BUF bytes (4096 on Linux) to a pipe or FIFO is never interleaved with other writers' data; a larger one can be.",
  },
  {
    en: "well-known FIFO, dummy writer",
    ko: "well-known FIFO",
    chapter: 3,
    means:
      "The server's FIFO at a path every client knows; the server keeps a write end of its own open so that it never reads EOF between clients.",
  },
  {
    en: "signal handler",
    ko: "신호 핸들러",
    chapter: 4,
    means:
      "A function in user space that the kernel makes the process run when a signal is delivered.",
  },
  {
    en: "default action",
    ko: "기본 행동",
    chapter: 4,
    means:
      "What a signal with no handler does: terminate (종료), terminate with a core dump (코어 덤프), stop (중지) or ignore (무시).",
  },
  {
    en: "registration, generation, delivery",
    ko: "신호 등록, 신호 발생, 신호 전달",
    chapter: 4,
    means:
      "The three steps of a signal: installing a handler, a process or the kernel sending the signal, and the kernel making the receiver run its handler.",
  },
  {
    en: "pending signal, signal mask",
    ko: "보류, 블록",
    chapter: 4,
    means:
      "A signal generated but not yet delivered is pending (SigPnd); the mask (SigBlk) lists the signals a thread blocks, which stay pending until unblocked.",
  },
  {
    en: "real-time signal",
    ko: "실시간 시그널",
    chapter: 4,
    means:
      "SIGRTMIN to SIGRTMAX: unlike standard signals they queue, one per sigqueue, each with an integer payload (si_value) and its sender.",
  },
  {
    en: "async-signal safety",
    ko: "비동기 시그널 안전",
    chapter: 4,
    means:
      "A function is async-signal-safe if a handler may call it while the interrupted code is inside any function; printf and malloc are not.",
  },
  {
    en: "message queue",
    ko: "메시지 큐",
    chapter: 5,
    means:
      "A queue of whole messages kept by the kernel until a process receives them: the mailbox of indirect communication.",
  },
  {
    en: "message priority",
    ko: "메시지 우선순위",
    chapter: 5,
    means:
      "A POSIX message's number from 0 to 32767: the highest comes out first, first in first out among equals.",
  },
  {
    en: "message type (mtype)",
    ko: "메시지 번호, 번호를 붙여",
    chapter: 5,
    means:
      "The number a System V message starts with, by which msgrcv selects; a server answers a client with mtype = its pid.",
  },
  {
    en: "asynchronous communication",
    ko: "비동기",
    chapter: 5,
    means:
      "A sender that does not wait for its receiver: the message waits in the kernel, to be processed later.",
  },
  {
    en: "critical section",
    ko: "임계 구역",
    chapter: 6,
    means: "The code that touches the shared data, which only one process may run at a time.",
  },
  {
    en: "bounded buffer",
    ko: "유한 버퍼",
    chapter: 6,
    means:
      "The producer–consumer buffer of fixed size, guarded by three semaphores: empty slots, full slots and a mutex.",
  },
  {
    en: "deadlock",
    ko: "교착 상태",
    chapter: 6,
    means:
      "Processes each waiting for what another holds, so none ever proceeds; two semaphores taken in opposite orders.",
  },
  {
    en: "page cache",
    ko: "페이지 캐시",
    chapter: 7,
    means:
      "The kernel's copy of a file's pages in memory; a MAP_SHARED mapping is those very pages, so every process mapping the file sees one copy.",
  },
  {
    en: "copy-on-write",
    ko: "쓰기 시 복사",
    chapter: 7,
    means:
      "Pages shared until one side writes, when the writer gets its own copy: how MAP_PRIVATE and fork save memory.",
  },
  {
    en: "page fault, lazy loading",
    ko: "페이지 폴트, 지연 로딩",
    chapter: 7,
    means:
      "mmap only reserves addresses; the first touch of a page faults, and the kernel brings that page in then.",
  },
  {
    en: "socket",
    ko: "소켓",
    chapter: 8,
    means: "An endpoint of communication, local or over a network; 'a pipe over a network'.",
  },
  {
    en: "endpoint",
    ko: "양 종단",
    chapter: 8,
    means:
      "One end of a communication channel; a TCP connection has two, each an IP address and a port.",
  },
  {
    en: "port number",
    ko: "포트 번호",
    chapter: 8,
    means:
      "A 16-bit number that names a process's endpoint within a machine: IP address + port number = socket (6013 for the date server, 80 for HTTP).",
  },
  {
    en: "ephemeral port",
    ko: "임시 포트",
    chapter: 8,
    means:
      "The port the kernel picks for a client's connect (and for bind to port 0), from ip_local_port_range.",
  },
  {
    en: "domain name (DNS)",
    ko: "도메인 네임",
    chapter: 8,
    means:
      "A name such as www.google.com that the resolver (getaddrinfo, DNS, /etc/hosts) turns into an IP address.",
  },
  {
    en: "bind, listen, accept, connect",
    ko: "주소 할당, 요청 대기, 수락, 요청",
    chapter: 8,
    means:
      "The server's socket gets its address (bind), starts taking connections (listen) and takes each one (accept); the client asks for one (connect).",
  },
  {
    en: "backlog",
    ko: "연결 대기열",
    chapter: 8,
    means:
      "The connections the kernel has completed for a listener that accept has not taken yet; listen's argument bounds it.",
  },
  {
    en: "connection-oriented (TCP)",
    ko: "연결 지향형",
    chapter: 8,
    means: "A connection first, then a reliable, ordered byte stream both ways: Java's Socket.",
  },
  {
    en: "connectionless (UDP), datagram",
    ko: "비연결형",
    chapter: 8,
    means:
      "Each message (datagram) sent on its own to an address, kept whole but maybe lost or reordered: Java's DatagramSocket.",
  },
  {
    en: "byte stream, framing",
    ko: "바이트 스트림",
    chapter: 8,
    means:
      "TCP keeps no message boundaries (one write is not one read), so a protocol marks its messages itself: a newline, a length.",
  },
  {
    en: "broadcast",
    ko: "브로드캐스팅",
    chapter: 8,
    means:
      "One datagram to every host of a network, sent to its broadcast address; needs SO_BROADCAST.",
  },
  {
    en: "multicast",
    ko: "멀티캐스트",
    chapter: 8,
    means:
      "One datagram to the sockets that joined a group address (224.0.0.0/4): Java's MulticastSocket.",
  },
  {
    en: "Unix-domain socket",
    ko: "유닉스 도메인 소켓",
    chapter: 8,
    means:
      "A socket for one machine named by a path or an abstract name; socketpair makes a connected pair, and only it can pass descriptors (SCM_RIGHTS).",
  },
  {
    en: "TIME_WAIT",
    ko: "TIME_WAIT 상태",
    chapter: 8,
    means:
      "The state the side that closed first keeps for a minute; rebinding its port then needs SO_REUSEADDR.",
  },
  {
    en: "remote procedure call (RPC)",
    ko: "원격 프로시저 호출",
    chapter: 9,
    means: "A call of a procedure in another process, often on another machine, through stubs.",
  },
  {
    en: "marshalling",
    ko: "마샬링",
    chapter: 9,
    means: "Packing arguments into bytes to send them, in an agreed byte order.",
  },
  {
    en: "serialization",
    ko: "직렬화",
    chapter: 9,
    means:
      "Writing an object and everything it references as bytes that can be sent; shared references and cycles need handles, which JSON lacks.",
  },
  {
    en: "stub",
    ko: "스텁",
    chapter: 9,
    means:
      "The client side of an RPC: makes the remote call look local, finds the server and marshals the parameters.",
  },
  {
    en: "skeleton (server-side stub)",
    ko: "스켈레톤",
    chapter: 9,
    means:
      "The server side of an RPC: unmarshals a call, runs the real procedure and marshals its result; note 004 calls it the server-side stub.",
  },
  {
    en: "interface definition language (IDL)",
    ko: "인터페이스 정의 언어",
    chapter: 9,
    means:
      "A description of an interface's types and procedures (ONC RPC's .x files, protobuf) from which a compiler writes stubs, skeletons and marshalling.",
  },
  {
    en: "XDR (External Data Representation)",
    ko: "외부 데이터 표현",
    chapter: 9,
    means:
      "ONC RPC's wire format (RFC 4506): big endian, in 4-byte units, the same bytes whatever machine wrote them.",
  },
  {
    en: "portmapper (rpcbind)",
    ko: "포트매퍼",
    chapter: 9,
    means:
      "Program 100000 on port 111, which maps an RPC program number to the port its server listens on; rpcinfo -p lists it.",
  },
  {
    en: "at-most-once, at-least-once",
    ko: "최대 한 번, 최소 한 번",
    chapter: 9,
    means:
      "What a retransmitted call guarantees: run at least once (maybe twice, when a reply was lost) or, with a duplicate cache, at most once.",
  },
  {
    en: "latency",
    ko: "지연 시간",
    chapter: 10,
    means:
      "How long one small message takes; chapter 10 measures it as a round trip, there and back.",
  },
  {
    en: "throughput",
    ko: "처리량",
    chapter: 10,
    means: "How many bytes per second a stream of large messages moves.",
  },
  {
    en: "round trip",
    ko: "왕복",
    chapter: 10,
    means:
      "A message there and its answer back: the cost of the system calls and of waking the other process, twice.",
  },
  {
    en: "busy waiting, spin",
    ko: "바쁜 대기, 스핀",
    chapter: 10,
    means:
      "Waiting by reading a flag until it changes instead of sleeping: no wake-up on two CPUs, a whole time slice lost on one.",
  },
  {
    en: "CPU pinning",
    ko: "CPU 고정",
    chapter: 10,
    means:
      "Keeping processes on chosen CPUs (taskset, sched_setaffinity); chapter 10 pins both ends to CPU 0 to remove the cost of waking another CPU.",
  },
  {
    en: "memory bandwidth",
    ko: "메모리 대역폭",
    chapter: 10,
    means:
      "How many bytes per second the memory can move; one memcpy measures it, and no IPC through memory can beat it.",
  },
];
