import { LayoutField } from './page-layout';
import { chance, pick, Random, shuffled } from './random';

/**
 * Questions about a synthetic document from the fields it records: each field has several wordings, and a share
 * of the questions ask for a field the document does not have (answer: none).
 */

export const FIELD_QUESTIONS: Record<string, readonly string[]> = {
  date: ['What is the date?', 'Date?', 'When was this written?', 'What date is on the document?', 'When is it dated?'],
  sender: ['Who sent this?', 'Who is the sender?', 'From whom is this?', 'Who is it from?'],
  recipient: ['Who is it addressed to?', 'To whom is this addressed?', 'Who is the recipient?', 'Who was it sent to?'],
  signer: ['Who signed the letter?', 'Who signed this?', 'Whose signature is at the bottom?', 'Who is the signatory?'],
  subject: ['What is the subject?', 'Subject?', 'What is this about?', 'What is the subject line?', 'Re?'],
  cc: ['Who is copied?', 'Who is in cc?', 'Cc?'],
  invoice_number: ['What is the invoice number?', 'Invoice no.?', 'What is the number of this invoice?', 'Invoice #?'],
  invoice_date: ['What is the invoice date?', 'When was the invoice issued?', 'Date of invoice?', 'When is the invoice dated?'],
  due_date: ['When is payment due?', 'What is the due date?', 'Payment due by?', 'Due date?'],
  total: ['What is the total amount?', 'Total?', 'How much is due in total?', 'What is the amount due?', 'What is the invoice total?'],
  vendor: ['Who issued the invoice?', 'Which company sent the invoice?', 'Who is the vendor?', 'Who is the seller?'],
  customer: ['Who is billed?', 'Bill to?', 'Who is the customer?', 'To which company is the invoice billed?'],
  po_number: ['What is the PO number?', 'Purchase order number?', 'P.O. no.?'],
  phone: ['What is the phone number?', 'Phone?', 'What number can I call?', 'Telephone number?'],
  fax: ['What is the fax number?', 'Fax?', 'Fax no.?', 'To what number should a fax go?'],
  email_address: ['What is the email address?', 'E-mail?', 'How can they be emailed?'],
  name: ['What is the name?', 'Name?', 'Whose name is on it?', 'Which name is written here?'],
  company: ['What is the company name?', 'Company?', 'Which company is named?', 'What is the name of the company?'],
  address: ['What is the address?', 'Address?', 'Where do they live?', 'What address is given?'],
  department: ['Which department?', 'Department?', 'What is the department?'],
  title: ['What is the title?', 'Title?', 'What is the title of the document?', 'What is it titled?'],
  author: ['Who is the author?', 'Who wrote this?', 'Author?', 'By whom was it written?'],
  headline: ['What is the headline?', 'Headline?', 'What does the headline say?'],
  newspaper: ['Which newspaper is this from?', 'What is the name of the newspaper?', 'Newspaper?'],
  journal: ['In which journal was it published?', 'Journal?', 'What journal is it from?'],
  report_number: ['What is the report number?', 'Report no.?', 'Which report number is it?'],
  spec_number: ['What is the specification number?', 'Spec no.?', 'What is the spec number?'],
  revision: ['What is the revision?', 'Revision?', 'Which revision is this?'],
  approved_by: ['Who approved it?', 'Approved by?', 'Who approved the specification?'],
  product: ['What product is it about?', 'Product?', 'Which product is named?'],
  price: ['What is the price?', 'How much does it cost?', 'Price?'],
  budget_total: ['What is the total budget?', 'Total budget?', 'How much is budgeted in total?'],
  fiscal_year: ['Which fiscal year?', 'For what year is the budget?', 'Fiscal year?'],
  prepared_by: ['Who prepared it?', 'Prepared by?', 'Who prepared the budget?'],
  file_number: ['What is the file number?', 'File no.?', 'Which file number?'],
  presenter: ['Who is the presenter?', 'Who presented this?', 'Presented by?'],
  respondent: ['Who filled in the questionnaire?', 'Respondent?', 'Who is the respondent?'],
};

/** Fields whose questions another field of the group may answer: never asked as unanswerable beside it. */
const RELATED: readonly string[][] = [
  ['date', 'invoice_date', 'due_date'],
  ['sender', 'vendor', 'company', 'signer', 'author', 'presenter', 'prepared_by', 'approved_by', 'newspaper', 'journal'],
  ['recipient', 'customer', 'name', 'respondent', 'cc'],
  ['title', 'headline', 'subject', 'product'],
  ['total', 'budget_total', 'price'],
  ['invoice_number', 'po_number', 'report_number', 'spec_number', 'file_number', 'revision'],
  ['phone', 'fax'],
];

export interface GeneratedQuestion {
  question: string;
  /** null = the document does not answer it. */
  answer: string | null;
  answerWordIds?: number[];
  field: string;
}

/** One or two wordings per recorded field, plus unanswerable questions (≈ `unanswerableShare` of the total). */
export function documentQuestions(fields: readonly LayoutField[], rng: Random, unanswerableShare = 0.15): GeneratedQuestion[] {
  const questions: GeneratedQuestion[] = [];
  for (const field of fields) {
    const wordings = FIELD_QUESTIONS[field.name];
    if (!wordings) throw new Error(`field '${field.name}' has no questions in FIELD_QUESTIONS`);
    for (const question of shuffled(rng, wordings).slice(0, chance(rng, 0.5) ? 2 : 1)) {
      questions.push({ question, answer: field.value, answerWordIds: field.wordIds, field: field.name });
    }
  }
  const present = new Set(fields.map((field) => field.name));
  const overlaps = (name: string) => RELATED.some((group) => group.includes(name) && group.some((other) => present.has(other)));
  const absent = Object.keys(FIELD_QUESTIONS).filter((name) => !present.has(name) && !overlaps(name));
  const wanted = Math.round((questions.length * unanswerableShare) / (1 - unanswerableShare));
  for (const name of shuffled(rng, absent).slice(0, wanted)) {
    questions.push({ question: pick(rng, FIELD_QUESTIONS[name]), answer: null, field: name });
  }
  return questions;
}
