/**
 * EC2 wire errors: the code and HTTP status real EC2 answers with (see
 * shared/reference/aws-wire/ec2-query-examples.md §11). Thrown inside the EC2 handlers and rendered as the
 * `<Response><Errors>…` document; never an AppError (the product must see what real EC2 says).
 */
export class Ec2Error extends Error {
  constructor(
    /** EC2 error code, e.g. `InvalidInstanceID.NotFound`. */
    readonly code: string,
    message: string,
    /** HTTP status: 4xx for client errors, 5xx for server errors such as InsufficientInstanceCapacity. */
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const invalidParameterValue = (message: string): Ec2Error => new Ec2Error('InvalidParameterValue', message);
export const missingParameter = (name: string): Ec2Error => new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
export const invalidParameterCombination = (message: string): Ec2Error => new Ec2Error('InvalidParameterCombination', message);

/** The real ICE message (wording from captured errors). */
export function insufficientCapacityMessage(instanceType: string, availabilityZone: string, others: readonly string[]): string {
  const base = `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${availabilityZone}). Our system will be working on provisioning additional capacity.`;
  return others.length > 0 ? `${base} You can currently get ${instanceType} capacity by not specifying an Availability Zone in your request or choosing ${others.join(', ')}.` : base;
}
