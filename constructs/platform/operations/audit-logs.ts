import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { Construct } from 'constructs';
import type { IPrincipal } from '../../iam/principal';

/** The services whose Data Access logs record who read and wrote the platform's data. */
export const AUDITED_SERVICES = ['bigquery.googleapis.com', 'storage.googleapis.com'] as const;

export interface DataAccessAuditProps {
  readonly project: string;
  /**
   * The platform's own high-volume writers (pipelines, the loader, the models, Pub/Sub's exports): their reads and
   * writes are the data path itself, logged by the platform's own logs, so Data Access logs leave them out.
   */
  readonly exempt: readonly IPrincipal[];
}

/**
 * Data Access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for BigQuery and Cloud Storage (CIS 2.1), exempting
 * only the platform's service accounts: every person, group and other workload is logged. One authoritative
 * `google_project_iam_audit_config` per service.
 */
export class DataAccessAudit extends Construct {
  public readonly configs: readonly ProjectIamAuditConfig[];

  constructor(scope: Construct, id: string, props: DataAccessAuditProps) {
    super(scope, id);
    // By label: members carry tokens, so two references to one agent differ as strings.
    const byLabel = new Map(props.exempt.map((p) => [p.principalLabel, p.iamMember]));
    const exempted = [...byLabel.keys()].sort().map((k) => byLabel.get(k) as string);
    this.configs = AUDITED_SERVICES.map(
      (service) =>
        new ProjectIamAuditConfig(this, service.split('.')[0] as string, {
          project: props.project,
          service,
          auditLogConfig: [
            { logType: 'ADMIN_READ' },
            { logType: 'DATA_READ', exemptedMembers: exempted },
            { logType: 'DATA_WRITE', exemptedMembers: exempted },
          ],
        }),
    );
  }
}
