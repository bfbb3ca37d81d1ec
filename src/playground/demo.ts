/**
 * The playground's demo data, written only by `npm run playground`: one customer of the
 * registry (with an e-mail domain and two provinces) and one open stappenplan invitation for a
 * contact there, so a visitor can sign up a phone at once. Later starts keep what exists and
 * invite again only once the last code is used or expired.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { findCustomer, importCustomers } from '../services/registry/customers';
import { createInvitation, findOpenInvitation } from '../services/signup/invitations';

// A reserved domain (RFC 2606): should mail ever be sent, it cannot reach anyone.
export const DEMO_CUSTOMER = { customerNumber: 'C-DEMO', name: 'Bakkerij De Korenschoof', emailDomain: 'korenschoof.example', regions: ['UT', 'NH'] };
export const DEMO_CONTACT = `anna@${DEMO_CUSTOMER.emailDomain}`;

export interface DemoData {
  customerName: string;
  code: string;
  /** Whether this start created the customer or the invitation. */
  created: boolean;
}

export async function seedDemo(dataSource: DataSource, config: Config): Promise<DemoData> {
  let created = false;
  if (!(await findCustomer(dataSource.manager, DEMO_CUSTOMER.customerNumber))) {
    const c = DEMO_CUSTOMER;
    await importCustomers(dataSource, `customer_number,name,email_domains,regions\n${c.customerNumber},${c.name},${c.emailDomain},${c.regions.join(';')}\n`);
    created = true;
  }
  const open = await findOpenInvitation(dataSource, DEMO_CONTACT);
  if (open) return { customerName: DEMO_CUSTOMER.name, code: open.code, created };
  const { invitation } = await createInvitation(dataSource, config, { email: DEMO_CONTACT, customer: DEMO_CUSTOMER.customerNumber, createdBy: 'playground' });
  return { customerName: DEMO_CUSTOMER.name, code: invitation.code, created: true };
}
