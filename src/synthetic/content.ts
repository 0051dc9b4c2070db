import { between, pick, Random } from './random';

/** Small built-in word lists and value generators for synthetic documents (no external corpus). */

const FIRST = ['Anna', 'James', 'Maria', 'Robert', 'Linda', 'David', 'Susan', 'Peter', 'Karen', 'Thomas', 'Helen', 'Mark', 'Laura', 'Paul', 'Ruth', 'George', 'Nancy', 'Frank', 'Carol', 'Walter', 'Diane', 'Henry', 'Joyce', 'Arthur', 'Janet', 'Carl', 'Alice', 'Roger', 'Ellen', 'Victor'];
const LAST = ['Smith', 'Johnson', 'Brown', 'Miller', 'Wilson', 'Moore', 'Taylor', 'Clark', 'Lewis', 'Walker', 'Young', 'King', 'Wright', 'Scott', 'Baker', 'Adams', 'Nelson', 'Carter', 'Mitchell', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris', 'Rogers', 'Reed'];
const COMPANY_A = ['Acme', 'Northwind', 'Blue Ridge', 'Summit', 'Pioneer', 'Lakeside', 'Granite', 'Harbor', 'Evergreen', 'Atlas', 'Keystone', 'Meridian', 'Redwood', 'Sterling', 'Crescent', 'Liberty', 'Beacon', 'Cardinal'];
const COMPANY_B = ['Supply Co.', 'Industries', 'Logistics', 'Foods Inc.', 'Systems', 'Partners LLC', 'Tobacco Co.', 'Laboratories', 'Printing', 'Group', 'Chemical Corp.', 'Research Inc.', 'Associates', 'Manufacturing'];
const STREETS = ['Main St', 'Oak Ave', 'Park Rd', 'Elm St', 'Maple Dr', 'Cedar Ln', 'Hill Rd', 'River Rd', 'Lake St', 'Pine Ave', 'Market St', 'Broad St', 'Church Rd', 'Mill Ln'];
const CITIES = ['Springfield, IL', 'Madison, WI', 'Richmond, VA', 'Albany, NY', 'Salem, OR', 'Dover, DE', 'Austin, TX', 'Denver, CO', 'Raleigh, NC', 'Winston-Salem, NC', 'Louisville, KY', 'Columbus, OH', 'Trenton, NJ', 'Boston, MA'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const PRODUCTS = ['Paper A4', 'Toner cartridge', 'Desk lamp', 'Filing cabinet', 'Stapler', 'Printer ink', 'Envelopes', 'Notebook', 'Shipping labels', 'Cable set', 'Monitor stand', 'Folders', 'Lab gloves', 'Test tubes', 'Carton boxes', 'Binders'];
export const TITLES = ['Project Manager', 'Research Analyst', 'Sales Director', 'Accountant', 'Engineer', 'Office Manager', 'Chemist', 'Consultant', 'Vice President', 'Brand Manager', 'Scientist', 'Coordinator'];
export const DEPARTMENTS = ['Research and Development', 'Marketing', 'Finance', 'Quality Assurance', 'Human Resources', 'Operations', 'Legal', 'Public Affairs', 'Purchasing', 'Engineering'];
export const TOPICS = ['Quarterly budget review', 'Office relocation', 'New safety procedures', 'Product testing schedule', 'Annual audit', 'Staff training', 'Marketing plan', 'Consumer survey results', 'Vendor contract renewal', 'Laboratory results', 'Sales meeting agenda', 'Project status'];
export const SKILLS = ['Budgeting', 'Data analysis', 'Negotiation', 'Project planning', 'Statistics', 'Team leadership', 'Quality control', 'Reporting', 'Chromatography', 'Public speaking'];
export const SCIENCE = ['nicotine', 'particulate matter', 'filter efficiency', 'tar delivery', 'moisture content', 'smoke chemistry', 'sensory evaluation', 'aerosol', 'carbon monoxide', 'leaf blends', 'additives', 'combustion'];
const WORDS = (
  'the results of our review show that the program met most of its goals this year and we expect further progress ' +
  'please find attached the report requested at the last meeting with a summary of costs and a proposed schedule ' +
  'we would appreciate your comments before the end of the month so that the committee can approve the budget ' +
  'the data were collected from all regional offices and checked against the previous quarter for consistency ' +
  'samples were analysed in duplicate and the mean values are reported with their standard deviation in the table ' +
  'our customers responded well to the new packaging and retail sales increased in every region we measured'
).split(' ');

export const person = (rng: Random) => `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
export const formalPerson = (rng: Random) => `${pick(rng, ['Mr.', 'Ms.', 'Dr.', 'Mrs.'])} ${pick(rng, FIRST)} ${pick(rng, LAST)}`;
export const lastName = (rng: Random) => pick(rng, LAST);
export const company = (rng: Random) => `${pick(rng, COMPANY_A)} ${pick(rng, COMPANY_B)}`;
export const street = (rng: Random) => `${between(rng, 10, 9999)} ${pick(rng, STREETS)}`;
export const city = (rng: Random) => `${pick(rng, CITIES)} ${between(rng, 10000, 99999)}`;
export const phone = (rng: Random) => `(${between(rng, 201, 989)}) ${between(rng, 200, 999)}-${between(rng, 1000, 9999)}`;
export const email = (rng: Random, name: string) => `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${pick(rng, COMPANY_A).toLowerCase().replace(/ /g, '')}.com`;
export const money = (rng: Random, max: number) => (between(rng, 100, max * 100) / 100).toFixed(2);
export const withCommas = (value: number) => value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A date in one of the styles documents use. */
export function date(rng: Random): string {
  const [month, day, year] = [between(rng, 1, 12), between(rng, 1, 28), between(rng, 1978, 2004)];
  switch (between(rng, 0, 3)) {
    case 0:
      return `${MONTHS[month - 1]} ${day}, ${year}`;
    case 1:
      return `${month}/${day}/${String(year).slice(2)}`;
    case 2:
      return `${day} ${MONTHS[month - 1].slice(0, 3)} ${year}`;
    default:
      return `${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/${year}`;
  }
}

export const year = (rng: Random) => between(rng, 1978, 2004);
export const monthName = (rng: Random) => pick(rng, MONTHS);
export const sentence = (rng: Random, count: number) => {
  const words = Array.from({ length: count }, () => pick(rng, WORDS));
  return `${words[0].charAt(0).toUpperCase()}${words.join(' ').slice(1)}.`;
};
export const paragraphText = (rng: Random, sentences: number) => Array.from({ length: sentences }, () => sentence(rng, between(rng, 8, 20))).join(' ');
export const code = (rng: Random, prefix: string) => `${prefix}${between(rng, 100, 9999)}-${between(rng, 10, 99)}`;
export const titleCase = (text: string) => text.replace(/\b\w/g, (letter) => letter.toUpperCase());
