/** An MlGateway for tests of the optimizer's callers: records every request and answers from a function. */
import { AppError, exampleDecisionResponse, type DecisionRequest, type DecisionResponse } from '@cloudoptim/contracts';
import type { MlGateway } from '../ml/ml-gateway.ts';

export class RecordingMl implements MlGateway {
  readonly requests: DecisionRequest[] = [];

  /** `answer` builds the response; the default is the contract's example plan for the request. */
  constructor(public answer: (request: DecisionRequest) => DecisionResponse = (r) => exampleDecisionResponse({ request_id: r.request_id, decision_type: r.decision_type, cluster_id: r.cluster_id })) {}

  async decide(request: DecisionRequest): Promise<DecisionResponse> {
    this.requests.push(request);
    return this.answer(request);
  }

  async forward(): Promise<{ status: number; body: unknown }> {
    throw new AppError('UNAVAILABLE', 'not forwarded in tests');
  }
}
