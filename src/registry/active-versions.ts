import { MODEL_TASKS, ModelTask } from './bundle-manifest';

/**
 * Which version serves each task, as persisted in <dataDir>/registry/active.json. Pure: the registry reads the
 * file, applies one of these transitions and writes the result back atomically.
 */
export interface ActiveVersions {
  /** Explicitly activated version per task; a task without one falls back to the default choice. */
  active: Partial<Record<ModelTask, string>>;
  /** Versions that were active before, most recent last: what rollback returns to. */
  previous: Partial<Record<ModelTask, string[]>>;
}

/** A version as the choice of the active one needs it. */
export interface VersionCandidate {
  id: string;
  /** The tasks the version serves (a bundle with several heads serves several). */
  tasks: readonly ModelTask[];
  shipped: boolean;
}

/** Rollback depth kept per task; older entries are dropped. */
export const MAX_PREVIOUS_VERSIONS = 20;

export function emptyActiveVersions(): ActiveVersions {
  return { active: {}, previous: {} };
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((x) => typeof x === 'string');

/** Reads active.json's parsed content; entries of unknown tasks or of the wrong type are dropped. */
export function parseActiveVersions(raw: unknown): ActiveVersions {
  const state = emptyActiveVersions();
  if (typeof raw !== 'object' || raw === null) return state;
  const { active, previous } = raw as { active?: Record<string, unknown>; previous?: Record<string, unknown> };
  for (const task of MODEL_TASKS) {
    const id = active?.[task];
    if (typeof id === 'string') state.active[task] = id;
    const history = previous?.[task];
    if (isStringArray(history)) state.previous[task] = history.slice(-MAX_PREVIOUS_VERSIONS);
  }
  return state;
}

/** Per task: the explicitly activated version when it is installed, else a shipped one, else the first by id. */
export function effectiveActive(candidates: VersionCandidate[], state: ActiveVersions): Map<ModelTask, string> {
  const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  const chosen = new Map<ModelTask, string>();
  for (const [task, id] of Object.entries(state.active) as Array<[ModelTask, string]>) {
    if (byId.get(id)?.tasks.includes(task)) chosen.set(task, id);
  }
  const ranked = [...candidates].sort((a, b) => Number(b.shipped) - Number(a.shipped) || a.id.localeCompare(b.id));
  for (const candidate of ranked) for (const task of candidate.tasks) if (!chosen.has(task)) chosen.set(task, candidate.id);
  return chosen;
}

/** `id` becomes the task's active version; the version it replaces (`currentId`) is remembered for rollback. */
export function withActivated(state: ActiveVersions, task: ModelTask, id: string, currentId: string | undefined): ActiveVersions {
  if (currentId === id) return { active: { ...state.active, [task]: id }, previous: state.previous };
  const history = (state.previous[task] ?? []).filter((previousId) => previousId !== id);
  if (currentId !== undefined) history.push(currentId);
  return {
    active: { ...state.active, [task]: id },
    previous: { ...state.previous, [task]: history.slice(-MAX_PREVIOUS_VERSIONS) },
  };
}

/**
 * Returns to the most recent earlier version that is still installed (`isAvailable`), dropping it and any
 * uninstalled ones from the history; undefined when there is none.
 */
export function withRolledBack(
  state: ActiveVersions,
  task: ModelTask,
  currentId: string | undefined,
  isAvailable: (id: string) => boolean,
): { state: ActiveVersions; id: string } | undefined {
  const history = [...(state.previous[task] ?? [])];
  while (history.length > 0) {
    const id = history.pop()!;
    if (id !== currentId && isAvailable(id)) {
      return { id, state: { active: { ...state.active, [task]: id }, previous: { ...state.previous, [task]: history } } };
    }
  }
  return undefined;
}

/** Drops a removed version from every task's history. */
export function withForgotten(state: ActiveVersions, id: string): ActiveVersions {
  const previous: ActiveVersions['previous'] = {};
  for (const [task, history] of Object.entries(state.previous) as Array<[ModelTask, string[]]>) {
    previous[task] = history.filter((previousId) => previousId !== id);
  }
  return { active: state.active, previous };
}
