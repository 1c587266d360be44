import type { BankQuestion } from './define'
import { civility, coreValues } from './values-civility'
import { traffic, waste } from './traffic-waste'
import { dogs, health } from './dogs-health'
import { cityBuilding, volunteer } from './volunteer-city'

export type { BankQuestion } from './define'

/** The question bank shipped with the product, written for this project. */
export const QUESTION_BANK: BankQuestion[] = [...coreValues, ...civility, ...traffic, ...waste, ...dogs, ...health, ...volunteer, ...cityBuilding]
