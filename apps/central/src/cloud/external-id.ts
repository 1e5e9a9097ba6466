/**
 * The AWS external id central sends when it assumes a customer's role: issued by CloudOptim, one per customer,
 * `cloudoptim-<customer id>`. It is the confused-deputy guard of AWS's third-party guidance: the customer puts it
 * in the trust policy of the role they create for CloudOptim, and central only ever assumes a role with the id of
 * the customer whose cluster it is acting for.
 *
 * Why the customer id is enough: an external id need not be secret, only impossible for one customer to choose
 * for another. The customer id is a UUID the database generates when the customer is created; nobody can set or
 * change it, and no two customers share one. So if customer A points a cluster at customer B's role, central
 * presents `cloudoptim-<A's id>`, which B's trust policy does not accept — A has no way to make central present
 * B's id. Nothing about the id is stored or accepted from a request: it is derived here, every time.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The external id CloudOptim issues to a customer. @throws when `customerId` is not a UUID (never a customer's). */
export function externalIdFor(customerId: string): string {
  // A value that is not a database-issued customer id must never become an external id.
  if (!UUID.test(customerId)) throw new Error(`not a customer id: ${JSON.stringify(customerId.slice(0, 64))}`);
  return `cloudoptim-${customerId.toLowerCase()}`;
}
