import { COMPLIANT, NOT_APPLICABLE, nonCompliant, type PolicyRule } from '../types';

// What Terraform accepts in depends_on: a bare address (`type.name`, `data.type.name`, `module.name`), optionally
// with one static instance key (`type.name[0]`, `type.name["k"]`).
const NAME = '[A-Za-z_][A-Za-z0-9_-]*';
const STATIC_REFERENCE = new RegExp(
  `^(?:(?:data\\.)?${NAME}\\.${NAME}|module\\.${NAME})(?:\\[(?:\\d+|"[^"]*")\\])?$`,
);

export const terraformStaticDependsOn: PolicyRule = {
  id: 'TRB-TF-1',
  level: 'error',
  title: 'depends_on lists bare resource addresses',
  explanation: `Terraform refuses anything else in depends_on ("A single static variable reference is required"), so a plan never starts. A resource's fqn is an interpolation ("\${type.name}"); add dependencies with addDependencies() or the dependsOn construct prop, which render the bare address.`,
  references: ['none: a Terraform configuration check'],
  check: (resource) => {
    const dependsOn = resource.config.depends_on;
    if (dependsOn === undefined) return NOT_APPLICABLE;
    if (!Array.isArray(dependsOn))
      return nonCompliant(`depends_on is ${JSON.stringify(dependsOn)}, not a list`);
    const bad = dependsOn.filter((d) => typeof d !== 'string' || !STATIC_REFERENCE.test(d));
    return bad.length === 0
      ? COMPLIANT
      : nonCompliant(
          `depends_on holds ${bad.map((d) => JSON.stringify(d)).join(', ')}; use bare addresses such as google_project_service.x`,
        );
  },
};
