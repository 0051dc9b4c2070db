import { RegisteredModel } from '../registry/registry.service';
import { ServedModel, ServiceClient } from './service-client';

/** The bundle a request for `task` (and optional model id) is served by: the named one, else the task's default. */
export async function servedModelFor(client: ServiceClient, task: string, id?: string): Promise<{ served: ServedModel; registered: RegisteredModel }> {
  const models = await client.models();
  const served = models.find((model) => model.tasks.includes(task) && (id === undefined ? model.defaultFor.includes(task) : model.id === id));
  const registered = served && client.registeredModels().find((model) => model.id === served.id);
  if (!served || !registered) {
    const available = models.filter((model) => model.tasks.includes(task)).map((model) => model.id);
    throw new Error(`no ${task} model${id === undefined ? '' : ` '${id}'`} is loaded (loaded ${task} models: ${available.join(', ') || 'none'})`);
  }
  return { served, registered };
}
