/** Sends Mosquitto dynamic-security commands on $CONTROL/dynamic-security/v1 and waits for each answer. */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';

export const CONTROL = '$CONTROL/dynamic-security/v1';

export interface DynsecResponse {
  command: string;
  error?: string;
  correlationData?: string;
}

/** Sends dynsec commands and waits for each answer. */
export class DynsecControl {
  private pending = new Map<string, (r: DynsecResponse) => void>();
  constructor(private client: MqttClient) {
    client.on('message', (_topic, payload) => {
      try {
        const { responses } = JSON.parse(payload.toString()) as { responses: DynsecResponse[] };
        for (const r of responses ?? []) if (r.correlationData) this.pending.get(r.correlationData)?.(r);
      } catch {
        /* not ours */
      }
    });
  }

  async run(command: Record<string, unknown>, timeoutMs = 5000): Promise<DynsecResponse> {
    const id = randomUUID();
    const answer = new Promise<DynsecResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`mosquitto did not answer ${String(command.command)}`));
      }, timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(r);
      });
    });
    await this.client.publishAsync(CONTROL, JSON.stringify({ commands: [{ ...command, correlationData: id }] }), {
      qos: 1,
    });
    return answer;
  }

  /** Like run, but a reported error fails (except the ones listed as harmless). */
  async must(command: Record<string, unknown>, harmless: RegExp | null = null): Promise<void> {
    const r = await this.run(command);
    if (r.error && !(harmless && harmless.test(r.error))) throw new Error(`${String(command.command)}: ${r.error}`);
  }
}
