/**
 * XML shapes of instances and reservations as EC2 returns them (RunInstances, DescribeInstances), with the
 * element names that differ from the SDK members (`instanceState`, `dnsName`, `reason`, `groupSet`, `tagSet`).
 */
import { type Ec2InstanceModel, INSTANCE_STATE_CODES, type InstanceInfo } from './ec2-instances.model.ts';
import type { XmlObject } from './xml.ts';

/** `2024-05-01T12:00:03.000Z`. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** One `instancesSet/item`. */
export function instanceXml(i: InstanceInfo, model: Ec2InstanceModel): XmlObject {
  const d = model.details(i.instanceId);
  const tagOrder = d?.tagOrder ?? Object.keys(i.tags);
  return {
    instanceId: i.instanceId,
    imageId: i.imageId,
    instanceState: { code: INSTANCE_STATE_CODES[i.state], name: i.state },
    privateDnsName: i.state === 'terminated' ? null : i.privateDnsName,
    dnsName: null,
    reason: d?.stateTransitionReason ? d.stateTransitionReason : null,
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: isoTime(i.launchTimeMs),
    placement: { availabilityZoneId: i.availabilityZoneId, availabilityZone: i.availabilityZone, groupName: null, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: i.state === 'terminated' ? undefined : i.subnetId,
    vpcId: i.state === 'terminated' ? undefined : i.vpcId,
    privateIpAddress: i.state === 'terminated' ? undefined : i.privateIpAddress,
    stateReason: d?.stateReason ? { code: d.stateReason.code, message: d.stateReason.message } : undefined,
    sourceDestCheck: true,
    groupSet: [],
    architecture: i.architecture,
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    instanceLifecycle: i.lifecycle === 'spot' ? 'spot' : undefined,
    spotInstanceRequestId: i.spotInstanceRequestId,
    virtualizationType: 'hvm',
    clientToken: i.clientToken,
    tagSet: tagOrder.filter((k) => k in i.tags).map((k) => ({ key: k, value: i.tags[k] ?? '' })),
    hypervisor: 'xen',
    ebsOptimized: false,
    capacityReservationSpecification: { capacityReservationPreference: 'open' },
    metadataOptions: { state: 'applied', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
  };
}

/** Groups instances (in the given order) into `reservationSet/item`s. */
export function reservationsXml(instances: readonly InstanceInfo[], model: Ec2InstanceModel, ownerId: string): XmlObject[] {
  const groups = new Map<string, InstanceInfo[]>();
  for (const i of instances) {
    let g = groups.get(i.reservationId);
    if (!g) groups.set(i.reservationId, (g = []));
    g.push(i);
  }
  return [...groups].map(([reservationId, list]) => ({
    reservationId,
    ownerId,
    groupSet: [],
    instancesSet: list.map((i) => instanceXml(i, model)),
  }));
}
