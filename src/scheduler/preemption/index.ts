// Preemption: choosing a node and the fewest, least important victims to evict for a higher-priority pod.
export { newDefaultPreemption, preempt, findPreemptionCandidate, calculateNumCandidates, podEligibleToPreemptOthers, errNotHelpful, type PreemptionOptions, type Candidate } from './preemption.ts';
export { selectVictimsOnNode, filterPodsWithPDBViolation, moreImportantPod, errNoVictims, type VictimSelection } from './victims.ts';
