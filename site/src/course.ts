// What the site knows about the course beyond the notebooks: the lecture's
// mechanisms, their Korean terms, and which IPC model each belongs to
// (lecture 003: 공유 메모리 모델 vs 메시지 패싱 모델).

export const SITE = {
  title: "ipc-lab",
  subtitle: "Inter-Process Communication, from TypeScript",
  subtitleKo: "프로세스 간 통신",
  description:
    "An operating-systems course on Inter-Process Communication: real system calls from TypeScript, in JupyterLab.",
};

export interface Mechanism {
  /** Words in a notebook file name that identify its chapter. */
  match: RegExp;
  en: string;
  ko: string;
  model: "shared-memory" | "message-passing" | "remote" | "intro";
}

/** Checked in order, so named pipes match before pipes. */
export const MECHANISMS: Mechanism[] = [
  { match: /welcome|intro/, en: "Introduction", ko: "소개", model: "intro" },
  { match: /shared-memory|shm/, en: "Shared memory", ko: "공유 메모리", model: "shared-memory" },
  {
    match: /named-pipe|fifo/,
    en: "Named pipe (FIFO)",
    ko: "명명된 파이프",
    model: "message-passing",
  },
  { match: /pipe/, en: "Pipe", ko: "파이프", model: "message-passing" },
  { match: /signal/, en: "Signal", ko: "시그널", model: "message-passing" },
  {
    match: /message-queue|mqueue|mq\b/,
    en: "Message queue",
    ko: "메시지 큐",
    model: "message-passing",
  },
  // Note 003 lists semaphores under message passing, but they carry no data:
  // they are the synchronisation the shared-memory model lacks (chapter 06).
  { match: /semaphore/, en: "Semaphore", ko: "세마포어", model: "shared-memory" },
  { match: /mmap|memory-map/, en: "Memory map", ko: "메모리 맵", model: "shared-memory" },
  { match: /socket/, en: "Socket", ko: "소켓", model: "message-passing" },
  { match: /rpc|marshal/, en: "Remote procedure call", ko: "원격 프로시저 호출", model: "remote" },
  { match: /comparison/, en: "Every mechanism compared", ko: "IPC 방식 비교", model: "intro" },
];

export function mechanismOf(slug: string): Mechanism | undefined {
  const topic = slug.replace(/^\d\d-/, "");
  return MECHANISMS.find((m) => m.match.test(topic));
}

/** The two models as the lecture lists them. */
export const MODELS = [
  {
    id: "shared-memory",
    en: "Shared-memory model",
    ko: "공유 메모리 모델",
    summary:
      "Processes map one region of memory and read and write it directly. The kernel is involved only to create and remove the region, so it is the fastest IPC, but the processes must synchronise access themselves, with semaphores (which the lecture lists under message passing, though they carry no data).",
    members: ["Shared memory", "Memory map", "Semaphore"],
  },
  {
    id: "message-passing",
    en: "Message-passing model",
    ko: "메시지 패싱 모델",
    summary:
      "Processes exchange messages through the kernel with send and receive. Every message costs a system call, but the kernel keeps the exchange synchronised.",
    members: ["Signal", "Pipe", "Named pipe (FIFO)", "Message queue", "Socket"],
  },
] as const;
